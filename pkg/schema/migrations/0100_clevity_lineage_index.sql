-- A line of a source file is loaded into one row of an entity's table: a unique index on
-- the lineage (run_id, source_file, source_line) holds that, where validate counted the
-- distinct lineages of every row each night (a third of a second per million rows), and
-- its check of "source lines claimed twice" passes by this index alone while it is
-- there. A project's sites share their project's line: projet_sites gets the same
-- index, not unique, and validate groups along it. Both still serve the look-ups by
-- run_id (their first column), so they replace the index on run_id. On a database where
-- two rows already claim one line (validate names them), the unique index cannot be
-- built and this step stops with the duplicate's key: remove the intruder, then run
-- again. Released: never edit; add a new step instead.
ALTER TABLE clients ADD UNIQUE INDEX IF NOT EXISTS uq_clients_lineage (run_id, source_file, source_line), DROP INDEX IF EXISTS ix_clients_run;
ALTER TABLE intervenants ADD UNIQUE INDEX IF NOT EXISTS uq_intervenants_lineage (run_id, source_file, source_line), DROP INDEX IF EXISTS ix_intervenants_run;
ALTER TABLE projets ADD UNIQUE INDEX IF NOT EXISTS uq_projets_lineage (run_id, source_file, source_line), DROP INDEX IF EXISTS ix_projets_run;
ALTER TABLE projet_sites ADD INDEX IF NOT EXISTS ix_projet_sites_lineage (run_id, source_file, source_line), DROP INDEX IF EXISTS ix_projet_sites_run;
ALTER TABLE affectations ADD UNIQUE INDEX IF NOT EXISTS uq_affectations_lineage (run_id, source_file, source_line), DROP INDEX IF EXISTS ix_affectations_run;
