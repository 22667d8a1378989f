-- The domain a database belongs to, recorded by the first run that writes it: a run of
-- the other domain is refused instead of mixing both in one database. One row.
CREATE TABLE IF NOT EXISTS database_domain (
  domain       VARCHAR(40)  NOT NULL,
  recorded_at  DATETIME(3)  NOT NULL,
  run_id       VARCHAR(40)  NULL,
  PRIMARY KEY (domain)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
