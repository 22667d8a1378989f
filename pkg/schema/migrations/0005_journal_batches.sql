-- One row per batch committed, written in the batch's own transaction (with its rows,
-- rejections and journal_files progress): after a lost connection the loader looks the
-- batch up to learn whether its COMMIT was applied (row present) or the batch must be
-- written again (absent), so no batch is counted twice. batch numbers the batches of a
-- file within a run from 1 (a batch may hold rejections only, or no line at all).
-- first_line and last_line are the source lines it accounts for, 0 for none.
-- Its foreign key goes to journal, not journal_files: the batch then updates its
-- journal_files row, and a foreign key check on that row would share-lock it first, so
-- two loaders of one file would deadlock.
CREATE TABLE IF NOT EXISTS journal_batches (
  run_id        VARCHAR(40)  NOT NULL,
  file          VARCHAR(255) NOT NULL,
  batch         INT          NOT NULL,
  first_line    BIGINT       NOT NULL,
  last_line     BIGINT       NOT NULL,
  `read`        BIGINT       NOT NULL,
  inserted      BIGINT       NOT NULL,
  rejected      BIGINT       NOT NULL,
  ignored       BIGINT       NOT NULL,
  updated       BIGINT       NOT NULL,
  committed_at  DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (run_id, file, batch),
  CONSTRAINT fk_journal_batches_run_id FOREIGN KEY (run_id) REFERENCES journal (run_id) ON DELETE CASCADE,
  CONSTRAINT ck_journal_batches_batch CHECK (batch > 0),
  CONSTRAINT ck_journal_batches_balanced CHECK (`read` = inserted + rejected + ignored + updated)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
