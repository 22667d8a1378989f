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
