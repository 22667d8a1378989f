-- Where a re-injected row first came from: the file and line named by the _file and _line
-- columns of a rejects or quarantine file fed back (NULL for a row read from its first file).
ALTER TABLE clients ADD COLUMN IF NOT EXISTS origin_file VARCHAR(255) NULL AFTER source_line, ADD COLUMN IF NOT EXISTS origin_line BIGINT NULL AFTER origin_file;
ALTER TABLE intervenants ADD COLUMN IF NOT EXISTS origin_file VARCHAR(255) NULL AFTER source_line, ADD COLUMN IF NOT EXISTS origin_line BIGINT NULL AFTER origin_file;
ALTER TABLE projets ADD COLUMN IF NOT EXISTS origin_file VARCHAR(255) NULL AFTER source_line, ADD COLUMN IF NOT EXISTS origin_line BIGINT NULL AFTER origin_file;
ALTER TABLE projet_sites ADD COLUMN IF NOT EXISTS origin_file VARCHAR(255) NULL AFTER source_line, ADD COLUMN IF NOT EXISTS origin_line BIGINT NULL AFTER origin_file;
ALTER TABLE affectations ADD COLUMN IF NOT EXISTS origin_file VARCHAR(255) NULL AFTER source_line, ADD COLUMN IF NOT EXISTS origin_line BIGINT NULL AFTER origin_file;
