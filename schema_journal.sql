-- The tables every domain's database holds, as one readable text: the runs of every
-- program (journal), the files they read and the batches they committed, the rows kept
-- out (rejections), reprise's corrections, validate's results, the schema steps applied
-- and the run lease. It is the sum of the steps of scope journal in
-- pkg/schema/migrations. A domain's database is this file followed by the domain's own
-- (the file its registration in pkg/domain names: schema.sql, schema_distributech.sql),
-- and a test checks that the steps build exactly that.
-- Tables use a binary collation: the database compares canonical values exactly.
-- Constraints are all named: ck_<table>_<what>, fk_<table>_<column>, uq_<table>_<what>.

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
-- committed batch advances in its own transaction. The SHA-256 is indexed: each file a
-- run reads looks up the latest complete run of a file with the same content.
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
  PRIMARY KEY (run_id, file),
  KEY ix_journal_files_sha256 (sha256),
  CONSTRAINT fk_journal_files_run_id FOREIGN KEY (run_id) REFERENCES journal (run_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

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

-- Rows kept out of the tables, with their original text and reasons. Every run records
-- its own: a file judged again adds a full set (see rejections_latest for today's).
-- A text too large for its column or for the server's max_allowed_packet (a 50 MB line)
-- is stored cut, and detail_bytes or raw_bytes keep the size of the whole text (NULL when
-- it is stored whole). The whole text is in the rejected-rows file.
CREATE TABLE IF NOT EXISTS rejections (
  id            BIGINT       NOT NULL AUTO_INCREMENT,
  run_id        VARCHAR(40)  NOT NULL,
  tool          VARCHAR(40)  NOT NULL,
  file          VARCHAR(255) NOT NULL,
  entity        VARCHAR(40)  NOT NULL,
  line          BIGINT       NOT NULL,
  codes         VARCHAR(500) NOT NULL,
  detail        TEXT         NULL,
  raw           MEDIUMTEXT   NULL,
  detail_bytes  BIGINT       NULL,
  raw_bytes     BIGINT       NULL,
  created_at    DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  KEY ix_rejections_run (run_id),
  KEY ix_rejections_entity (entity, line)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The rows still rejected: for each tool and file name, the rejections of the latest run
-- that read the file to its end (its journal_files row has its SHA-256). A rerun that
-- loads a row drops it from here, and history stays in rejections. A run interrupted inside
-- a file leaves the previous complete run's verdicts, and a file skipped as unchanged keeps
-- those of the run that loaded it.
CREATE OR REPLACE SQL SECURITY INVOKER VIEW rejections_latest AS
  SELECT r.id, r.run_id, r.tool, r.file, f.sha256, r.entity, r.line, r.codes, r.detail, r.raw,
    r.detail_bytes, r.raw_bytes, r.created_at
  FROM rejections r
  JOIN journal j ON j.run_id = r.run_id
  JOIN journal_files f ON f.run_id = r.run_id AND f.file = r.file
  WHERE f.sha256 IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM journal_files f2 JOIN journal j2 ON j2.run_id = f2.run_id
    WHERE f2.file = r.file AND j2.tool = j.tool AND f2.sha256 IS NOT NULL
      AND (j2.started_at > j.started_at OR (j2.started_at = j.started_at AND j2.run_id > j.run_id)));

-- Which schema texts were applied, when.
CREATE TABLE IF NOT EXISTS schema_version (
  name        VARCHAR(40)  NOT NULL,
  sha256      CHAR(64)     NOT NULL,
  applied_at  DATETIME(3)  NOT NULL,
  PRIMARY KEY (name, sha256)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The domain a database belongs to, recorded by the first run that writes it: a run of
-- the other domain is refused instead of mixing both in one database. One row.
CREATE TABLE IF NOT EXISTS database_domain (
  domain       VARCHAR(40)  NOT NULL,
  recorded_at  DATETIME(3)  NOT NULL,
  run_id       VARCHAR(40)  NULL,
  PRIMARY KEY (domain)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The run lease: which run may write the database's rows (migration and reprise take
-- turns), one row per lease name. A run takes it, renews it every quarter of its
-- duration and releases it at its end, each in a short committed statement. Another run
-- takes it over only once it was released or expires_at, by the server's clock, has
-- passed. Unlike GET_LOCK it outlives a lost connection and holds across a Galera
-- cluster's nodes. A live lease (released_at NULL, expires_at ahead) means a load is
-- running. This table is the one a run creates before it holds the lease, and only when
-- it is missing: it is what the lease needs (see mariadb.AcquireLease).
CREATE TABLE IF NOT EXISTS run_lease (
  name         VARCHAR(40)  NOT NULL,
  run_id       VARCHAR(40)  NOT NULL,
  tool         VARCHAR(40)  NOT NULL,
  host         VARCHAR(255) NOT NULL,
  pid          BIGINT       NOT NULL,
  acquired_at  DATETIME(3)  NOT NULL,
  renewed_at   DATETIME(3)  NOT NULL,
  expires_at   DATETIME(3)  NOT NULL,
  released_at  DATETIME(3)  NULL,
  PRIMARY KEY (name),
  CONSTRAINT ck_run_lease_expiry CHECK (expires_at > renewed_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Each check of each validate run: its verdict, how many rows offend, up to 10 of their
-- keys (a JSON array) and the rule in words. A check whose query failed (a column
-- altered or dropped, a privilege withheld) is ERROR, its error kept: it could not run,
-- which is not a FAIL. Written by validate in one statement after its run is in the
-- journal, when its account may insert here.
CREATE TABLE IF NOT EXISTS validate_results (
  run_id      VARCHAR(40)  NOT NULL,
  check_name  VARCHAR(200) NOT NULL,
  kind        VARCHAR(40)  NOT NULL,
  status      VARCHAR(5)   NOT NULL,
  `count`     BIGINT       NOT NULL DEFAULT 0,
  sample      TEXT         NULL,
  rule        TEXT         NULL,
  error       TEXT         NULL,
  PRIMARY KEY (run_id, check_name),
  CONSTRAINT fk_validate_results_run_id FOREIGN KEY (run_id) REFERENCES journal (run_id) ON DELETE CASCADE,
  CONSTRAINT ck_validate_results_status CHECK (status IN ('PASS', 'FAIL', 'WARN', 'ERROR')),
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
