// Reprise takes corrupted rows (a file that arrived late or damaged, such as
// data_1/projets_corrompus.csv, or the rejected rows migration wrote), corrects what
// can be corrected without guessing, isolates the rest, and re-injects only valid rows.
//
// Usage:
//
//	reprise [flags] FILE|-
//
// FILE holds rows of one entity, taken from its name as migration does
// (projets_corrompus.csv and rejets/projets.csv are projets, quarantaine_clients.csv is
// clients), or from -entity; - reads standard input (with -entity).
//
// Flags:
//
//	-dsn DSN          the database, user:password@tcp(host:port)/name (default $MARIADB_DSN);
//	                  not needed with -dry-run
//	-create-db        create the database when it does not exist (utf8mb4)
//	-domain NAME      clevity (default) or distributech
//	-entity NAME      entity of the rows (clevity: clients, intervenants, projets,
//	                  affectations); default: taken from the file's name
//	-out DIR          folder for log_reprise.txt, the quarantine file and the reports (default ".")
//	-quarantine FILE  file for the isolated rows (default DIR/quarantaine_<entity>.csv)
//	-dry-run          correct, check, log and isolate, but write nothing to the database;
//	                  without a database, references to rows outside the file are not judged
//	-update           replace rows already in the database that differ (old values logged),
//	                  instead of isolating them as conflicts
//	-batch N          rows per transaction (default 5000, as migration)
//	-today DATE       the date taken as today by the not-in-the-future checks, YYYY-MM-DD
//	                  (default: the local date of this machine)
//	-quiet            print nothing when the run is clean
//	-h                print this manual
//
// Each row is normalised as migration does, then its refused values are corrected
// when they have exactly one reading: dates month/day/year when the day is over 12,
// 2023.03.05, "5 mars 2023", "05-mars-2023"; enumerations within two edits of exactly
// one allowed value, and synonyms (fini, terminée, clos: termine; prévu: planifie...);
// euro signs and codes around numbers, 4,0 and 4/5 for a score out of 5; mailto:,
// spaces and trailing dots in e-mails; site lists separated by ',', ';' or '/'. An
// ambiguous value is never guessed. The row is then checked with every rule,
// references included (against the database and the other rows of the input): valid,
// it is re-injected (batched, in transactions); identical to a row already loaded, it
// is ignored; otherwise it is isolated, a conflict with a loaded row included, unless
// -update is given: then the loaded row is replaced and its old values are logged.
//
// A file migration or reprise wrote (it carries _line or _errors) is read back as
// written: its _file, _line, _errors and _raw columns are context, not data; the one
// quote its writer put before a value a spreadsheet would take for a formula is
// removed; a row kept as its _raw text (its data columns empty) is parsed from that
// text again, so it stays MALFORMED_ROW until its text is fixed; and its rows keep the
// file and line they first came from (_file, _line) in the quarantine, in the log
// (origin_file, origin_line) and in the database (origin_file, origin_line beside
// source_file and source_line, which name the file and line this run read, stdin for
// standard input). So a quarantine file fixed by hand can be fed back as it is, with
// the same -out.
//
// Outputs, in -out:
//
//	log_reprise.txt            appended: one line per correction (field, before, after, rule),
//	                           per isolated row (why), per re-injected row, per ignored row
//	quarantaine_<entity>.csv   the isolated rows as read, then _file, _line, _errors and _raw
//	                           (or -quarantine FILE)
//	rapport_correction.txt     per file and in total: read = re-injected + isolated + ignored, by code
//	rapport_correction.json    the same for scripts (snake_case keys, with the run's "status")
//
// A summary line goes to stderr (none with -quiet when the run is clean). The run is
// recorded in the journal with its rows' lineage. Files are written under temporary
// names and renamed into place at the end of the run, once the input was read: the
// input may be the quarantine file itself. A file replaced is kept as
// NAME.<run_id>.EXT; with no row isolated the previous quarantine file is kept that way
// and none is left in its place; a run that fails leaves the previous files as they
// were.
//
// Exit status: 0 every row re-injected or ignored, 1 rows isolated, 2 could not run
// (unreadable input, a header that matches nothing, database error, interrupted); the
// database is unchanged when the input cannot be read.
//
// Example:
//
//	export MARIADB_DSN='root@tcp(127.0.0.1:3306)/clevity'
//	reprise -out out data_1/projets_corrompus.csv
//	reprise -out out out/quarantaine_projets.csv
//	reprise -out out out/rejets/clients.csv
//	migration -entity projets -rejects - data_1/projets.csv | reprise -entity projets -out out -
//	reprise -dry-run -out out/check data_1/projets_corrompus.csv
package main
