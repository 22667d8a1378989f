-- The row fingerprint (SHA-256 in hex of the row's canonical values, see
-- pkg/domain/fingerprint.go), written by the loader beside the lineage (by the movement
-- SQL for mouvements_stock); validate recomputes it. NULL for a row loaded before this step.
ALTER TABLE regions ADD COLUMN IF NOT EXISTS row_sha CHAR(64) NULL AFTER origin_line;
ALTER TABLE revendeurs ADD COLUMN IF NOT EXISTS row_sha CHAR(64) NULL AFTER origin_line;
ALTER TABLE produits ADD COLUMN IF NOT EXISTS row_sha CHAR(64) NULL AFTER origin_line;
ALTER TABLE stock ADD COLUMN IF NOT EXISTS row_sha CHAR(64) NULL AFTER origin_line;
ALTER TABLE receptions ADD COLUMN IF NOT EXISTS row_sha CHAR(64) NULL AFTER origin_line;
ALTER TABLE commandes ADD COLUMN IF NOT EXISTS row_sha CHAR(64) NULL AFTER origin_line;
ALTER TABLE lignes_commande ADD COLUMN IF NOT EXISTS row_sha CHAR(64) NULL AFTER origin_line;
ALTER TABLE mouvements_stock ADD COLUMN IF NOT EXISTS row_sha CHAR(64) NULL AFTER origin_line;
