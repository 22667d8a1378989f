-- Where a re-injected row first came from: the file and line named by the _file and _line
-- columns of a rejects file fed back (NULL for a row read from its first file).
ALTER TABLE regions ADD COLUMN IF NOT EXISTS origin_file VARCHAR(255) NULL AFTER source_line, ADD COLUMN IF NOT EXISTS origin_line BIGINT NULL AFTER origin_file;
ALTER TABLE revendeurs ADD COLUMN IF NOT EXISTS origin_file VARCHAR(255) NULL AFTER source_line, ADD COLUMN IF NOT EXISTS origin_line BIGINT NULL AFTER origin_file;
ALTER TABLE produits ADD COLUMN IF NOT EXISTS origin_file VARCHAR(255) NULL AFTER source_line, ADD COLUMN IF NOT EXISTS origin_line BIGINT NULL AFTER origin_file;
ALTER TABLE stock ADD COLUMN IF NOT EXISTS origin_file VARCHAR(255) NULL AFTER source_line, ADD COLUMN IF NOT EXISTS origin_line BIGINT NULL AFTER origin_file;
ALTER TABLE receptions ADD COLUMN IF NOT EXISTS origin_file VARCHAR(255) NULL AFTER source_line, ADD COLUMN IF NOT EXISTS origin_line BIGINT NULL AFTER origin_file;
ALTER TABLE commandes ADD COLUMN IF NOT EXISTS origin_file VARCHAR(255) NULL AFTER source_line, ADD COLUMN IF NOT EXISTS origin_line BIGINT NULL AFTER origin_file;
ALTER TABLE lignes_commande ADD COLUMN IF NOT EXISTS origin_file VARCHAR(255) NULL AFTER source_line, ADD COLUMN IF NOT EXISTS origin_line BIGINT NULL AFTER origin_file;
ALTER TABLE mouvements_stock ADD COLUMN IF NOT EXISTS origin_file VARCHAR(255) NULL AFTER source_line, ADD COLUMN IF NOT EXISTS origin_line BIGINT NULL AFTER origin_file;
