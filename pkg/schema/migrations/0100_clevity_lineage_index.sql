-- validate checks that no two rows of a table claim one source line (run_id,
-- source_file, source_line): it counted the distinct lineages of every row each night,
-- a third of a second per million rows. Grouped along an index that leads with the
-- lineage, the rows of one line come one after the other, and the count reads the
-- index alone (0.2 s per million rows). The index still serves the look-ups by run_id
-- (its first column), so it replaces the index on run_id. Not unique: on a Galera
-- cluster a unique index is one more certification key per row, and a migration
-- through the cluster took a tenth longer with one. Released: never edit; add a new
-- step instead.
ALTER TABLE clients ADD INDEX IF NOT EXISTS ix_clients_lineage (run_id, source_file, source_line), DROP INDEX IF EXISTS ix_clients_run;
ALTER TABLE intervenants ADD INDEX IF NOT EXISTS ix_intervenants_lineage (run_id, source_file, source_line), DROP INDEX IF EXISTS ix_intervenants_run;
ALTER TABLE projets ADD INDEX IF NOT EXISTS ix_projets_lineage (run_id, source_file, source_line), DROP INDEX IF EXISTS ix_projets_run;
ALTER TABLE projet_sites ADD INDEX IF NOT EXISTS ix_projet_sites_lineage (run_id, source_file, source_line), DROP INDEX IF EXISTS ix_projet_sites_run;
ALTER TABLE affectations ADD INDEX IF NOT EXISTS ix_affectations_lineage (run_id, source_file, source_line), DROP INDEX IF EXISTS ix_affectations_run;
