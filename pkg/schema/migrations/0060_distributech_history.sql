-- The earlier values of the reference tables. A row of the SQLite file whose key is
-- loaded with other content (a region renamed) replaces the loaded row, and the values
-- it replaces are kept here: in force from valid_from (NULL: since they were first
-- loaded) up to, not including, valid_to, the date of the run that replaced them (its
-- -today). run_id, source_file and source_line name that run and the line that brought
-- the new values; loaded_run_id, loaded_file, loaded_line and row_sha are the lineage
-- and fingerprint the replaced row had (its run_id, source_file, source_line, row_sha).
CREATE TABLE IF NOT EXISTS regions_historique (
  id             BIGINT       NOT NULL AUTO_INCREMENT,
  id_region      INT          NOT NULL,
  nom            VARCHAR(80)  NOT NULL,
  valid_from     DATE         NULL,
  valid_to       DATE         NOT NULL,
  run_id         VARCHAR(40)  NOT NULL,
  source_file    VARCHAR(255) NOT NULL,
  source_line    BIGINT       NOT NULL,
  origin_file    VARCHAR(255) NULL,
  origin_line    BIGINT       NULL,
  loaded_run_id  VARCHAR(40)  NOT NULL,
  loaded_file    VARCHAR(255) NOT NULL,
  loaded_line    BIGINT       NOT NULL,
  row_sha        CHAR(64)     NULL,
  PRIMARY KEY (id),
  KEY ix_regions_historique_region (id_region, valid_to),
  KEY ix_regions_historique_run (run_id),
  CONSTRAINT fk_regions_historique_id_region FOREIGN KEY (id_region) REFERENCES regions (id_region),
  CONSTRAINT ck_regions_historique_dates CHECK (valid_from IS NULL OR valid_from <= valid_to)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The earlier values of resellers (a reseller moved to another region, renamed, with a
-- new e-mail), as regions_historique keeps those of regions.
CREATE TABLE IF NOT EXISTS revendeurs_historique (
  id             BIGINT       NOT NULL AUTO_INCREMENT,
  id_revendeur   INT          NOT NULL,
  nom            VARCHAR(150) NOT NULL,
  id_region      INT          NOT NULL,
  email          VARCHAR(254) NOT NULL,
  ville          VARCHAR(80)  NULL,
  valid_from     DATE         NULL,
  valid_to       DATE         NOT NULL,
  run_id         VARCHAR(40)  NOT NULL,
  source_file    VARCHAR(255) NOT NULL,
  source_line    BIGINT       NOT NULL,
  origin_file    VARCHAR(255) NULL,
  origin_line    BIGINT       NULL,
  loaded_run_id  VARCHAR(40)  NOT NULL,
  loaded_file    VARCHAR(255) NOT NULL,
  loaded_line    BIGINT       NOT NULL,
  row_sha        CHAR(64)     NULL,
  PRIMARY KEY (id),
  KEY ix_revendeurs_historique_revendeur (id_revendeur, valid_to),
  KEY ix_revendeurs_historique_run (run_id),
  CONSTRAINT fk_revendeurs_historique_id_revendeur FOREIGN KEY (id_revendeur) REFERENCES revendeurs (id_revendeur),
  CONSTRAINT ck_revendeurs_historique_dates CHECK (valid_from IS NULL OR valid_from <= valid_to)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The earlier values of products (renamed, repriced, a threshold moved), as
-- regions_historique keeps those of regions: analyse_stock -at reads the name, price and
-- threshold in force at its date from here.
CREATE TABLE IF NOT EXISTS produits_historique (
  id             BIGINT        NOT NULL AUTO_INCREMENT,
  ref_produit    VARCHAR(40)   NOT NULL,
  nom            VARCHAR(200)  NOT NULL,
  categorie      VARCHAR(80)   NOT NULL,
  prix_unitaire  DECIMAL(10,2) NOT NULL,
  seuil_alerte   INT           NOT NULL,
  valid_from     DATE          NULL,
  valid_to       DATE          NOT NULL,
  run_id         VARCHAR(40)   NOT NULL,
  source_file    VARCHAR(255)  NOT NULL,
  source_line    BIGINT        NOT NULL,
  origin_file    VARCHAR(255)  NULL,
  origin_line    BIGINT        NULL,
  loaded_run_id  VARCHAR(40)   NOT NULL,
  loaded_file    VARCHAR(255)  NOT NULL,
  loaded_line    BIGINT        NOT NULL,
  row_sha        CHAR(64)      NULL,
  PRIMARY KEY (id),
  KEY ix_produits_historique_produit (ref_produit, valid_to),
  KEY ix_produits_historique_run (run_id),
  CONSTRAINT fk_produits_historique_ref_produit FOREIGN KEY (ref_produit) REFERENCES produits (ref_produit),
  CONSTRAINT ck_produits_historique_dates CHECK (valid_from IS NULL OR valid_from <= valid_to)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
