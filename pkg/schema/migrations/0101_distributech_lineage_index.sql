-- As 0100_clevity_lineage_index for clevity: every table whose rows validate holds to
-- one row per source line gets an index that leads with the lineage, which validate
-- groups along (stock, receptions and lignes_commande have one since
-- 0091_distributech_lineage_index). It replaces the index on run_id. Released: never
-- edit; add a new step instead.
ALTER TABLE regions ADD INDEX IF NOT EXISTS ix_regions_lineage (run_id, source_file, source_line), DROP INDEX IF EXISTS ix_regions_run;
ALTER TABLE revendeurs ADD INDEX IF NOT EXISTS ix_revendeurs_lineage (run_id, source_file, source_line), DROP INDEX IF EXISTS ix_revendeurs_run;
ALTER TABLE produits ADD INDEX IF NOT EXISTS ix_produits_lineage (run_id, source_file, source_line), DROP INDEX IF EXISTS ix_produits_run;
ALTER TABLE commandes ADD INDEX IF NOT EXISTS ix_commandes_lineage (run_id, source_file, source_line), DROP INDEX IF EXISTS ix_commandes_run;
ALTER TABLE mouvements_stock ADD INDEX IF NOT EXISTS ix_mouvements_stock_lineage (run_id, source_file, source_line), DROP INDEX IF EXISTS ix_mouvements_stock_run;
