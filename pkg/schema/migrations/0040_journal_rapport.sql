-- What the final report (rapport) reads besides the journal and the rejections.
-- Each check of each validate run: its verdict, how many rows offend, up to 10 of their
-- keys (a JSON array) and the rule in words. Written by validate in one statement after
-- its run is in the journal, when its account may insert here.
CREATE TABLE IF NOT EXISTS validate_results (
  run_id      VARCHAR(40)  NOT NULL,
  check_name  VARCHAR(200) NOT NULL,
  kind        VARCHAR(40)  NOT NULL,
  status      VARCHAR(4)   NOT NULL,
  `count`     BIGINT       NOT NULL DEFAULT 0,
  sample      TEXT         NULL,
  rule        TEXT         NULL,
  error       TEXT         NULL,
  PRIMARY KEY (run_id, check_name),
  CONSTRAINT fk_validate_results_run_id FOREIGN KEY (run_id) REFERENCES journal (run_id) ON DELETE CASCADE,
  CONSTRAINT ck_validate_results_status CHECK (status IN ('PASS', 'FAIL', 'WARN')),
  CONSTRAINT ck_validate_results_count CHECK (`count` >= 0),
  CONSTRAINT ck_validate_results_sample CHECK (sample IS NULL OR JSON_VALID(sample))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
-- Each value reprise corrected: the field, its value before and after, and the rule
-- applied, at the line of the file the run read (origin_file and origin_line: where a
-- row fed back first came from). Written in the batch's transaction, like the
-- rejections: a correction is recorded only with the batch that holds its row. Whether
-- the row went in or was isolated anyway is in rejections (same run, file and line).
CREATE TABLE IF NOT EXISTS corrections (
  id            BIGINT       NOT NULL AUTO_INCREMENT,
  run_id        VARCHAR(40)  NOT NULL,
  tool          VARCHAR(40)  NOT NULL,
  file          VARCHAR(255) NOT NULL,
  entity        VARCHAR(40)  NOT NULL,
  line          BIGINT       NOT NULL,
  origin_file   VARCHAR(255) NULL,
  origin_line   BIGINT       NULL,
  field         VARCHAR(64)  NOT NULL,
  before_value  TEXT         NULL,
  after_value   TEXT         NULL,
  rule          VARCHAR(100) NOT NULL,
  created_at    DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  KEY ix_corrections_run (run_id),
  KEY ix_corrections_rule (rule)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
