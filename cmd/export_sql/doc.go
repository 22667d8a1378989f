// Export_sql exports the central database (either domain) as a compressed SQL dump
// made by the real mariadb-dump, with its SHA-256 beside it and a row in the journal,
// and on request proves that the dump restores to the same content.
//
// Usage:
//
//	export_sql [-dsn DSN] [-out DIR] [-tables LIST] [-verify]
//
// It runs mariadb-dump (Debian's mariadb-client package: apt-get install
// mariadb-client) on one consistent snapshot (--single-transaction: no table is locked
// and writers go on), with the tables and their rows, the views, routines and triggers,
// and binary columns in hex (--hex-blob). The dump names no database (no CREATE
// DATABASE, no USE), so it restores into any: gunzip -c FILE | mariadb NAME. -tables
// limits it to the tables and views named, comma-separated.
//
// Outputs, in -out (default "."), each written under a temporary name and renamed into
// place once complete:
//
//	export_<database>_<YYYYMMDD-HHMMSS>.sql.gz          the dump, gzip-compressed (time in UTC)
//	export_<database>_<YYYYMMDD-HHMMSS>.sql.gz.sha256   its SHA-256, as sha256sum writes it (sha256sum -c checks it)
//
// The account and password reach mariadb-dump (and the mariadb client of -verify)
// through an options file readable by its owner only, in a temporary folder removed
// afterwards (--defaults-extra-file): never their command line, which every user of
// the machine can read, nor their environment.
//
// -verify restores the dump into a scratch database, <database>_verify_<id>, created
// for the run and dropped after it (a run killed meanwhile may leave one: drop it),
// and compares every table (row count and CHECKSUM TABLE) and view (row count) with the
// database as it was just before the dump; a table that changed during the export (a
// load running) is named as such. The restore leaves out the DEFINER of views, triggers
// and routines, which then belong to the restoring account; the views are SQL SECURITY
// INVOKER, so they mean the same for any account.
//
// Privileges, for an account of its own (least privilege):
//
//	GRANT SELECT, SHOW VIEW, TRIGGER ON distributech.* TO 'dmt_export'@'%';
//	GRANT INSERT, UPDATE ON distributech.journal TO 'dmt_export'@'%';
//	GRANT ALL PRIVILEGES ON `distributech\_verify\_%`.* TO 'dmt_export'@'%';  -- for -verify only
//
// The database must have the schema this program knows (it never changes it); its
// domain is read from the database. The run is recorded in the journal (tool
// export_sql) with the file, its size and SHA-256.
//
// Exit status: 0 written (and, with -verify, its restored copy identical); 1 written
// but its restored copy differs (the differences are named); 2 could not export:
// mariadb-dump missing (the line says how to install it), a privilege missing (the
// line says which statement was refused), disk full, database unreachable.
//
// Example:
//
//	export_sql -dsn 'dmt_export:secret@tcp(127.0.0.1:3306)/distributech' -out /backup -verify
//	export_sql -tables produits,stock -out exports
//	cd /backup && sha256sum -c export_distributech_20261115-020000.sql.gz.sha256
package main
