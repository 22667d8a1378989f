-- The distributech tables (an electronics wholesaler), to clevity's standards: named
-- keys, references and checks, lineage on every row. The sum of the distributech steps
-- of pkg/schema/migrations: the distributech database is schema_journal.sql (the tables
-- every domain shares) followed by this file, and a test checks that the steps build
-- exactly that. Stock is kept as movements: the inventory snapshot opens each product's
-- balance, each receipt adds, each order line subtracts, so the stock of a product at any
-- date is the sum of its movements up to that date. row_sha is each row's fingerprint
-- (see schema.sql), which the movement SQL computes for mouvements_stock.
-- Reference rows (regions, revendeurs, produits) change in place when the SQLite file
-- changes them, their earlier values kept in <table>_historique. Facts (stock,
-- receptions, commandes, lignes_commande) never change.

CREATE TABLE IF NOT EXISTS regions (
  id_region    INT          NOT NULL,
  nom          VARCHAR(80)  NOT NULL,
  run_id       VARCHAR(40)  NOT NULL,
  source_file  VARCHAR(255) NOT NULL,
  source_line  BIGINT       NOT NULL,
  origin_file  VARCHAR(255) NULL,
  origin_line  BIGINT       NULL,
  row_sha      CHAR(64)     NULL,
  PRIMARY KEY (id_region),
  KEY ix_regions_lineage (run_id, source_file, source_line),
  CONSTRAINT ck_regions_id CHECK (id_region > 0),
  CONSTRAINT ck_regions_nom_filled CHECK (nom <> '' AND CHAR_LENGTH(nom) = CHAR_LENGTH(TRIM(nom)))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS revendeurs (
  id_revendeur  INT          NOT NULL,
  nom           VARCHAR(150) NOT NULL,
  id_region     INT          NOT NULL,
  email         VARCHAR(254) NOT NULL,
  ville         VARCHAR(80)  NULL,
  run_id        VARCHAR(40)  NOT NULL,
  source_file   VARCHAR(255) NOT NULL,
  source_line   BIGINT       NOT NULL,
  origin_file   VARCHAR(255) NULL,
  origin_line   BIGINT       NULL,
  row_sha       CHAR(64)     NULL,
  PRIMARY KEY (id_revendeur),
  CONSTRAINT uq_revendeurs_email UNIQUE (email),
  KEY ix_revendeurs_region (id_region),
  KEY ix_revendeurs_lineage (run_id, source_file, source_line),
  CONSTRAINT fk_revendeurs_id_region FOREIGN KEY (id_region) REFERENCES regions (id_region),
  CONSTRAINT ck_revendeurs_id CHECK (id_revendeur > 0),
  CONSTRAINT ck_revendeurs_nom_filled CHECK (nom <> '' AND CHAR_LENGTH(nom) = CHAR_LENGTH(TRIM(nom))),
  CONSTRAINT ck_revendeurs_email_form CHECK (email = LOWER(TRIM(email)) AND CHAR_LENGTH(email) = CHAR_LENGTH(TRIM(email)) AND email LIKE '_%@_%._%')
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS produits (
  ref_produit    VARCHAR(40)   NOT NULL,
  nom            VARCHAR(200)  NOT NULL,
  categorie      VARCHAR(80)   NOT NULL,
  prix_unitaire  DECIMAL(10,2) NOT NULL,
  seuil_alerte   INT           NOT NULL,
  run_id         VARCHAR(40)   NOT NULL,
  source_file    VARCHAR(255)  NOT NULL,
  source_line    BIGINT        NOT NULL,
  origin_file    VARCHAR(255)  NULL,
  origin_line    BIGINT        NULL,
  row_sha        CHAR(64)      NULL,
  PRIMARY KEY (ref_produit),
  KEY ix_produits_lineage (run_id, source_file, source_line),
  CONSTRAINT ck_produits_ref_filled CHECK (ref_produit <> '' AND CHAR_LENGTH(ref_produit) = CHAR_LENGTH(TRIM(ref_produit))),
  CONSTRAINT ck_produits_nom_filled CHECK (nom <> '' AND CHAR_LENGTH(nom) = CHAR_LENGTH(TRIM(nom))),
  CONSTRAINT ck_produits_prix CHECK (prix_unitaire >= 0),
  CONSTRAINT ck_produits_seuil CHECK (seuil_alerte >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The earlier values of the reference tables. A row of the SQLite file whose key is
-- loaded with other content (a region renamed) replaces the loaded row, and the values
-- it replaces are kept here: in force from valid_from (NULL: since they were first
-- loaded) up to, not including, valid_to, the date of the run that replaced them (its
-- -today). run_id, source_file and source_line name that run and the line that brought
-- the new values. loaded_run_id, loaded_file, loaded_line and row_sha are the lineage
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

-- The global stock snapshot: one inventory per product, the opening balance.
CREATE TABLE IF NOT EXISTS stock (
  ref_produit      VARCHAR(40)  NOT NULL,
  quantite         INT          NOT NULL,
  date_inventaire  DATE         NOT NULL,
  run_id           VARCHAR(40)  NOT NULL,
  source_file      VARCHAR(255) NOT NULL,
  source_line      BIGINT       NOT NULL,
  origin_file      VARCHAR(255) NULL,
  origin_line      BIGINT       NULL,
  row_sha          CHAR(64)     NULL,
  PRIMARY KEY (ref_produit),
  KEY ix_stock_lineage (run_id, source_file, source_line),
  CONSTRAINT fk_stock_ref_produit FOREIGN KEY (ref_produit) REFERENCES produits (ref_produit),
  CONSTRAINT ck_stock_quantite CHECK (quantite >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS receptions (
  id_reception    INT          NOT NULL,
  ref_produit     VARCHAR(40)  NOT NULL,
  quantite        INT          NOT NULL,
  date_reception  DATE         NOT NULL,
  run_id          VARCHAR(40)  NOT NULL,
  source_file     VARCHAR(255) NOT NULL,
  source_line     BIGINT       NOT NULL,
  origin_file     VARCHAR(255) NULL,
  origin_line     BIGINT       NULL,
  row_sha         CHAR(64)     NULL,
  PRIMARY KEY (id_reception),
  KEY ix_receptions_produit (ref_produit),
  KEY ix_receptions_lineage (run_id, source_file, source_line),
  CONSTRAINT fk_receptions_ref_produit FOREIGN KEY (ref_produit) REFERENCES produits (ref_produit),
  CONSTRAINT ck_receptions_id CHECK (id_reception > 0),
  CONSTRAINT ck_receptions_quantite CHECK (quantite > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per order: its reseller and date, shared by all its lines.
CREATE TABLE IF NOT EXISTS commandes (
  numero_commande  VARCHAR(40)  NOT NULL,
  id_revendeur     INT          NOT NULL,
  date_commande    DATE         NOT NULL,
  run_id           VARCHAR(40)  NOT NULL,
  source_file      VARCHAR(255) NOT NULL,
  source_line      BIGINT       NOT NULL,
  origin_file      VARCHAR(255) NULL,
  origin_line      BIGINT       NULL,
  row_sha          CHAR(64)     NULL,
  PRIMARY KEY (numero_commande),
  CONSTRAINT uq_commandes_header UNIQUE (numero_commande, id_revendeur, date_commande),
  KEY ix_commandes_revendeur (id_revendeur),
  KEY ix_commandes_lineage (run_id, source_file, source_line),
  CONSTRAINT fk_commandes_id_revendeur FOREIGN KEY (id_revendeur) REFERENCES revendeurs (id_revendeur),
  CONSTRAINT ck_commandes_numero_filled CHECK (numero_commande <> '' AND CHAR_LENGTH(numero_commande) = CHAR_LENGTH(TRIM(numero_commande)))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per order line, as the weekly files send them. The order's reseller and date
-- are repeated so that a line always agrees with its order (composite foreign key).
CREATE TABLE IF NOT EXISTS lignes_commande (
  numero_commande  VARCHAR(40)   NOT NULL,
  id_revendeur     INT           NOT NULL,
  date_commande    DATE          NOT NULL,
  ref_produit      VARCHAR(40)   NOT NULL,
  quantite         INT           NOT NULL,
  prix_unitaire    DECIMAL(10,2) NOT NULL,
  run_id           VARCHAR(40)   NOT NULL,
  source_file      VARCHAR(255)  NOT NULL,
  source_line      BIGINT        NOT NULL,
  origin_file      VARCHAR(255)  NULL,
  origin_line      BIGINT        NULL,
  row_sha          CHAR(64)      NULL,
  PRIMARY KEY (numero_commande, ref_produit),
  KEY ix_lignes_commande_header (numero_commande, id_revendeur, date_commande),
  KEY ix_lignes_commande_produit (ref_produit),
  KEY ix_lignes_commande_lineage (run_id, source_file, source_line),
  CONSTRAINT fk_lignes_commande_commande FOREIGN KEY (numero_commande, id_revendeur, date_commande)
    REFERENCES commandes (numero_commande, id_revendeur, date_commande),
  CONSTRAINT fk_lignes_commande_ref_produit FOREIGN KEY (ref_produit) REFERENCES produits (ref_produit),
  CONSTRAINT ck_lignes_commande_quantite CHECK (quantite > 0),
  CONSTRAINT ck_lignes_commande_prix CHECK (prix_unitaire >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Stock history: every movement of every product, written in the transaction that
-- loads its source row. reference names that row (id_reception, numero_commande, or
-- the inventory date), so a movement is never written twice.
CREATE TABLE IF NOT EXISTS mouvements_stock (
  id              BIGINT       NOT NULL AUTO_INCREMENT,
  ref_produit     VARCHAR(40)  NOT NULL,
  date_mouvement  DATE         NOT NULL,
  type_mouvement  VARCHAR(20)  NOT NULL,
  reference       VARCHAR(40)  NOT NULL,
  quantite        INT          NOT NULL,
  run_id          VARCHAR(40)  NOT NULL,
  source_file     VARCHAR(255) NOT NULL,
  source_line     BIGINT       NOT NULL,
  origin_file     VARCHAR(255) NULL,
  origin_line     BIGINT       NULL,
  row_sha         CHAR(64)     NULL,
  PRIMARY KEY (id),
  CONSTRAINT uq_mouvements_stock_source UNIQUE (type_mouvement, reference, ref_produit),
  KEY ix_mouvements_stock_produit (ref_produit, date_mouvement),
  KEY ix_mouvements_stock_lineage (run_id, source_file, source_line),
  CONSTRAINT fk_mouvements_stock_ref_produit FOREIGN KEY (ref_produit) REFERENCES produits (ref_produit),
  CONSTRAINT ck_mouvements_stock_type CHECK (type_mouvement IN ('inventaire', 'reception', 'commande')),
  CONSTRAINT ck_mouvements_stock_sign CHECK ((type_mouvement = 'commande' AND quantite < 0) OR (type_mouvement <> 'commande' AND quantite >= 0))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Current stock of every product, readily available. SQL SECURITY INVOKER: the view
-- runs with the rights of whoever queries it, so a dump restores under any account
-- that may read the tables (export_sql -verify).
CREATE OR REPLACE SQL SECURITY INVOKER VIEW stock_actuel AS
  SELECT p.ref_produit, COALESCE(SUM(m.quantite), 0) AS quantite, MAX(m.date_mouvement) AS date_dernier_mouvement
  FROM produits p LEFT JOIN mouvements_stock m ON m.ref_produit = p.ref_produit
  GROUP BY p.ref_produit;
