-- Every file a run reads asks the journal whether a complete run already read a file
-- with the same SHA-256 (to skip it unchanged): without an index that question read
-- every journal_files row of the tool, so in a run of 12,000 weekly files, or after
-- years of weekly runs, each file cost more than the one before. Released: never edit;
-- add a new step instead.
ALTER TABLE journal_files ADD INDEX IF NOT EXISTS ix_journal_files_sha256 (sha256);
