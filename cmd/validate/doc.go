// Validate checks a clevity database after the fact, and every night after that: row
// counts against the journal, uniqueness of every key (e-mails case- and space-
// insensitively), required columns, allowed values and ranges, date order, orphans of
// every reference, affectations within their project's dates and sites, and the lineage
// of every row. Each check is one set-based query built from the SQL forms of
// pkg/rules, so validate and migration judge alike; it does not rely on the
// database's constraints, which may be missing.
//
// It first reads the journal: the latest migration and the latest reprise must have
// finished. A failed one, or one still marked running while no load holds the
// database's load lock (killed, or its server restarted), fails, naming the run: the
// database may be half-loaded, and running the same command again finishes the job.
// While a load holds the lock, it is a warning ("a load is in progress"). A journal
// without any loading run is a warning too. A table without rows is a warning; a
// database whose tables are all empty fails, since a nightly check must not call an
// empty database valid.
//
// Usage:
//
//	validate [-dsn DSN] [-domain clevity] [-out DIR] [-json FILE|-] [-source DIR] [-quiet]
//
// It writes DIR/rapport_validation_<YYYYMMDD-HHMMSS>.txt (UTC): one line per check with
// PASS, FAIL or WARN, the number of offending rows, up to 10 of their keys and the rule
// in plain words, then a summary. -json writes the same results as JSON (- for
// stdout). -source DIR also checks that the files of DIR were read whole and accounted
// for (read = inserted + rejected + ignored in the journal). The run is recorded in the
// journal, and its results in validate_results (one row per check: status, count,
// sample, rule), which the final report (rapport) reads. An account that may write the
// journal but not validate_results still validates; one line on stderr says the
// results were not stored.
//
// With -domain distributech it also holds the stock to its sources: for every product,
// current stock = snapshot + receipts - orders and the movement history adds up to it;
// products without a stock snapshot (SANS_INVENTAIRE), under their alert threshold
// (SOUS_SEUIL) or out of stock (RUPTURE) are warnings, as analyse_stock names them.
//
// Example:
//
//	validate -dsn 'root@tcp(127.0.0.1:3306)/clevity' -out reports
//	validate -out reports -source data_1 -json - | jq '.summary'
//
// Exit status: 0 every check passes (warnings allowed), 1 a check fails, 2 it could not
// check (database down, wrong password, missing tables).
package main
