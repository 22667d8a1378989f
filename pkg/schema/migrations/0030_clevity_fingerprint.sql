-- The row fingerprint (SHA-256 in hex of the row's canonical values, see
-- pkg/domain/fingerprint.go), written by the loader beside the lineage; validate
-- recomputes it. NULL for a row loaded before this step. A project's fingerprint covers
-- its projet_sites rows, which have none of their own.
ALTER TABLE clients ADD COLUMN IF NOT EXISTS row_sha CHAR(64) NULL AFTER origin_line;
ALTER TABLE intervenants ADD COLUMN IF NOT EXISTS row_sha CHAR(64) NULL AFTER origin_line;
ALTER TABLE projets ADD COLUMN IF NOT EXISTS row_sha CHAR(64) NULL AFTER origin_line;
ALTER TABLE affectations ADD COLUMN IF NOT EXISTS row_sha CHAR(64) NULL AFTER origin_line;
