-- The journal tables every domain shares: runs, their files, rejected rows, and the
-- schema steps applied. Released: never edit; add a new step instead.

-- Every run of every tool, with its counts.
CREATE TABLE IF NOT EXISTS journal (
  run_id      VARCHAR(40)  NOT NULL,
  tool        VARCHAR(40)  NOT NULL,
  domain      VARCHAR(40)  NOT NULL,
  started_at  DATETIME(3)  NOT NULL,
  ended_at    DATETIME(3)  NULL,
  status      VARCHAR(20)  NOT NULL,
  host        VARCHAR(255) NULL,
  args        TEXT         NULL,
  `read`      BIGINT       NOT NULL DEFAULT 0,
  inserted    BIGINT       NOT NULL DEFAULT 0,
  rejected    BIGINT       NOT NULL DEFAULT 0,
  ignored     BIGINT       NOT NULL DEFAULT 0,
  updated     BIGINT       NOT NULL DEFAULT 0,
  message     TEXT         NULL,
  PRIMARY KEY (run_id),
  KEY ix_journal_tool (tool, started_at),
  CONSTRAINT ck_journal_status CHECK (status IN ('running', 'ok', 'data_errors', 'failed'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The source files of each run: their SHA-256 and their accounting, which each
-- committed batch advances in its own transaction (committed_line: the last line done).
CREATE TABLE IF NOT EXISTS journal_files (
  run_id          VARCHAR(40)  NOT NULL,
  file            VARCHAR(255) NOT NULL,
  entity          VARCHAR(40)  NOT NULL,
  sha256          CHAR(64)     NULL,
  size            BIGINT       NULL,
  `read`          BIGINT       NOT NULL DEFAULT 0,
  inserted        BIGINT       NOT NULL DEFAULT 0,
  rejected        BIGINT       NOT NULL DEFAULT 0,
  ignored         BIGINT       NOT NULL DEFAULT 0,
  updated         BIGINT       NOT NULL DEFAULT 0,
  committed_line  BIGINT       NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, file),
  CONSTRAINT fk_journal_files_run_id FOREIGN KEY (run_id) REFERENCES journal (run_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Rows kept out of the tables, with their original text and reasons.
CREATE TABLE IF NOT EXISTS rejections (
  id          BIGINT       NOT NULL AUTO_INCREMENT,
  run_id      VARCHAR(40)  NOT NULL,
  tool        VARCHAR(40)  NOT NULL,
  file        VARCHAR(255) NOT NULL,
  entity      VARCHAR(40)  NOT NULL,
  line        BIGINT       NOT NULL,
  codes       VARCHAR(500) NOT NULL,
  detail      TEXT         NULL,
  raw         MEDIUMTEXT   NULL,
  created_at  DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  KEY ix_rejections_run (run_id),
  KEY ix_rejections_entity (entity, line)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Which schema texts were applied, when.
CREATE TABLE IF NOT EXISTS schema_version (
  name        VARCHAR(40)  NOT NULL,
  sha256      CHAR(64)     NOT NULL,
  applied_at  DATETIME(3)  NOT NULL,
  PRIMARY KEY (name, sha256)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
