-- The clevity tables, as one readable text: the sum of the clevity steps of
-- pkg/schema/migrations. The clevity database is schema_journal.sql (the tables every
-- domain shares) followed by this file, and a test checks that the steps build exactly
-- that.
-- Tables use a binary collation: the database compares canonical values exactly.
-- E-mails are stored lower-cased (a CHECK holds it), so their UNIQUE is case-insensitive.
-- utf8mb4_bin is a PAD SPACE collation: 'a ' = 'a' there. So the checks that a text is
-- trimmed compare lengths (CHAR_LENGTH(x) = CHAR_LENGTH(TRIM(x))), not x = TRIM(x).
-- Constraints are all named: ck_<table>_<what>, fk_<table>_<column>, uq_<table>_<what>.
-- Lineage columns (run_id, source_file, source_line) say which run and which line of
-- which file wrote each row. They have no foreign key to the journal on purpose. The
-- index ix_<table>_lineage leads with them: validate groups the rows of one line along it.
-- origin_file and origin_line name the first file and line of a row re-injected from a
-- file the toolkit wrote (rejected rows, quarantine), NULL for a row read from its first file.
-- row_sha is the row's fingerprint: the SHA-256 (hex) of its canonical values, written by
-- the loader and recomputed by validate, so a row changed or added by other means shows
-- (pkg/domain/fingerprint.go). NULL for rows loaded before fingerprints existed. A
-- project's fingerprint covers its projet_sites rows, which carry none of their own.

CREATE TABLE IF NOT EXISTS clients (
  id_client      INT          NOT NULL,
  nom            VARCHAR(150) NOT NULL,
  secteur        VARCHAR(80)  NULL,
  email          VARCHAR(254) NOT NULL,
  telephone      VARCHAR(30)  NULL,
  ville          VARCHAR(80)  NULL,
  date_creation  DATE         NULL,
  run_id         VARCHAR(40)  NOT NULL,
  source_file    VARCHAR(255) NOT NULL,
  source_line    BIGINT       NOT NULL,
  origin_file    VARCHAR(255) NULL,
  origin_line    BIGINT       NULL,
  row_sha        CHAR(64)     NULL,
  PRIMARY KEY (id_client),
  CONSTRAINT uq_clients_email UNIQUE (email),
  KEY ix_clients_lineage (run_id, source_file, source_line),
  CONSTRAINT ck_clients_id CHECK (id_client > 0),
  CONSTRAINT ck_clients_nom_filled CHECK (nom <> '' AND CHAR_LENGTH(nom) = CHAR_LENGTH(TRIM(nom))),
  CONSTRAINT ck_clients_email_form CHECK (email = LOWER(TRIM(email)) AND CHAR_LENGTH(email) = CHAR_LENGTH(TRIM(email)) AND email LIKE '_%@_%._%')
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS intervenants (
  id_intervenant  INT          NOT NULL,
  nom             VARCHAR(80)  NOT NULL,
  prenom          VARCHAR(80)  NOT NULL,
  email           VARCHAR(254) NOT NULL,
  agence          VARCHAR(80)  NOT NULL,
  specialite      VARCHAR(80)  NULL,
  date_embauche   DATE         NULL,
  run_id          VARCHAR(40)  NOT NULL,
  source_file     VARCHAR(255) NOT NULL,
  source_line     BIGINT       NOT NULL,
  origin_file     VARCHAR(255) NULL,
  origin_line     BIGINT       NULL,
  row_sha         CHAR(64)     NULL,
  PRIMARY KEY (id_intervenant),
  CONSTRAINT uq_intervenants_email UNIQUE (email),
  KEY ix_intervenants_lineage (run_id, source_file, source_line),
  CONSTRAINT ck_intervenants_id CHECK (id_intervenant > 0),
  CONSTRAINT ck_intervenants_nom_filled CHECK (nom <> '' AND CHAR_LENGTH(nom) = CHAR_LENGTH(TRIM(nom))),
  CONSTRAINT ck_intervenants_prenom_filled CHECK (prenom <> '' AND CHAR_LENGTH(prenom) = CHAR_LENGTH(TRIM(prenom))),
  CONSTRAINT ck_intervenants_agence_filled CHECK (agence <> '' AND CHAR_LENGTH(agence) = CHAR_LENGTH(TRIM(agence))),
  CONSTRAINT ck_intervenants_email_form CHECK (email = LOWER(TRIM(email)) AND CHAR_LENGTH(email) = CHAR_LENGTH(TRIM(email)) AND email LIKE '_%@_%._%')
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS projets (
  id_projet          INT           NOT NULL,
  id_client          INT           NOT NULL,
  titre              VARCHAR(200)  NOT NULL,
  type_prestation    VARCHAR(20)   NOT NULL,
  statut             VARCHAR(20)   NOT NULL,
  date_debut         DATE          NOT NULL,
  date_fin           DATE          NULL,
  budget             DECIMAL(12,2) NULL,
  note_satisfaction  TINYINT       NULL,
  run_id             VARCHAR(40)   NOT NULL,
  source_file        VARCHAR(255)  NOT NULL,
  source_line        BIGINT        NOT NULL,
  origin_file        VARCHAR(255)  NULL,
  origin_line        BIGINT        NULL,
  row_sha            CHAR(64)      NULL,
  PRIMARY KEY (id_projet),
  KEY ix_projets_client (id_client),
  KEY ix_projets_lineage (run_id, source_file, source_line),
  CONSTRAINT fk_projets_id_client FOREIGN KEY (id_client) REFERENCES clients (id_client),
  CONSTRAINT ck_projets_id CHECK (id_projet > 0),
  CONSTRAINT ck_projets_titre_filled CHECK (titre <> '' AND CHAR_LENGTH(titre) = CHAR_LENGTH(TRIM(titre))),
  CONSTRAINT ck_projets_type_prestation CHECK (type_prestation IN ('audit', 'deploiement', 'formation', 'assistance')),
  CONSTRAINT ck_projets_statut CHECK (statut IN ('planifie', 'en_cours', 'termine', 'annule')),
  CONSTRAINT ck_projets_budget CHECK (budget >= 0),
  CONSTRAINT ck_projets_note_range CHECK (note_satisfaction BETWEEN 1 AND 5),
  CONSTRAINT ck_projets_date_order CHECK (date_fin IS NULL OR date_fin >= date_debut),
  CONSTRAINT ck_projets_end_date_required CHECK (statut <> 'termine' OR date_fin IS NOT NULL),
  CONSTRAINT ck_projets_satisfaction_allowed CHECK (note_satisfaction IS NULL OR statut = 'termine')
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A project's sites (the sites column of projets.csv, one row per site).
CREATE TABLE IF NOT EXISTS projet_sites (
  id_projet    INT          NOT NULL,
  site         VARCHAR(80)  NOT NULL,
  run_id       VARCHAR(40)  NOT NULL,
  source_file  VARCHAR(255) NOT NULL,
  source_line  BIGINT       NOT NULL,
  origin_file  VARCHAR(255) NULL,
  origin_line  BIGINT       NULL,
  PRIMARY KEY (id_projet, site),
  KEY ix_projet_sites_lineage (run_id, source_file, source_line),
  CONSTRAINT fk_projet_sites_id_projet FOREIGN KEY (id_projet) REFERENCES projets (id_projet),
  CONSTRAINT ck_projet_sites_site_filled CHECK (site <> '' AND CHAR_LENGTH(site) = CHAR_LENGTH(TRIM(site)))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS affectations (
  id_affectation  INT          NOT NULL,
  id_projet       INT          NOT NULL,
  id_intervenant  INT          NOT NULL,
  role            VARCHAR(20)  NOT NULL,
  site            VARCHAR(80)  NULL,
  date_debut      DATE         NOT NULL,
  date_fin        DATE         NULL,
  jours           DECIMAL(6,1) NULL,
  run_id          VARCHAR(40)  NOT NULL,
  source_file     VARCHAR(255) NOT NULL,
  source_line     BIGINT       NOT NULL,
  origin_file     VARCHAR(255) NULL,
  origin_line     BIGINT       NULL,
  row_sha         CHAR(64)     NULL,
  PRIMARY KEY (id_affectation),
  CONSTRAINT uq_affectations_key UNIQUE (id_projet, id_intervenant, role, date_debut),
  KEY ix_affectations_intervenant (id_intervenant),
  KEY ix_affectations_lineage (run_id, source_file, source_line),
  CONSTRAINT fk_affectations_id_projet FOREIGN KEY (id_projet) REFERENCES projets (id_projet),
  CONSTRAINT fk_affectations_id_intervenant FOREIGN KEY (id_intervenant) REFERENCES intervenants (id_intervenant),
  CONSTRAINT ck_affectations_id CHECK (id_affectation > 0),
  CONSTRAINT ck_affectations_role CHECK (role IN ('chef_projet', 'consultant', 'technicien', 'formateur', 'auditeur')),
  CONSTRAINT ck_affectations_jours CHECK (jours > 0),
  CONSTRAINT ck_affectations_date_order CHECK (date_fin IS NULL OR date_fin >= date_debut)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
