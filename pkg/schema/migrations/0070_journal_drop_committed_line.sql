-- journal_files.committed_line was written by every batch and read by nothing: with
-- batches committed out of order (two loaders) it said the last line of the latest batch
-- committed, not a line up to which every batch was. The journal_batches rows say
-- exactly which lines are committed; the run's report keeps the file's committed line,
-- counted in order. Released: never edit; add a new step instead.
ALTER TABLE journal_files DROP COLUMN IF EXISTS committed_line;
