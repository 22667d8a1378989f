-- A committed batch of stock, receptions or order lines writes its stock movements from
-- its own rows, found by their lineage (run_id, source_file, source_line range). With
-- an index on run_id alone, that read every row the run had loaded so far: in a run of
-- 12,000 weekly files, each file cost more than the one before. The lineage index
-- finds a batch's rows alone, and still serves the look-ups by run_id (its first
-- column), so it replaces the index on run_id. Released: never edit; add a new step
-- instead.
ALTER TABLE stock ADD INDEX IF NOT EXISTS ix_stock_lineage (run_id, source_file, source_line), DROP INDEX IF EXISTS ix_stock_run;
ALTER TABLE receptions ADD INDEX IF NOT EXISTS ix_receptions_lineage (run_id, source_file, source_line), DROP INDEX IF EXISTS ix_receptions_run;
ALTER TABLE lignes_commande ADD INDEX IF NOT EXISTS ix_lignes_commande_lineage (run_id, source_file, source_line), DROP INDEX IF EXISTS ix_lignes_commande_run;
