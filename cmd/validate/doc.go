// Validate checks a database after the fact, and every night after that: row counts
// against the journal, uniqueness of every key (e-mails case- and space-insensitively),
// required columns, allowed values and ranges, dates not in the future, date order,
// orphans of every reference, affectations within their project's dates and sites, and
// the lineage and fingerprint of every row. Each check is one set-based query built from
// the SQL forms of pkg/rules, so validate and migration judge alike; it does not rely on
// the database's constraints, which may be missing. The checks over one table share one
// scan of it (two queries run at once), which counts the rows where any of them
// offends; only when some do are they counted apart, and a check's own query, which
// builds its samples, runs only when its count is not 0: the cost is a few scans of
// each table, whatever the number of checks. A check that the schema itself proves, read as
// it is (a required number or date in a NOT NULL column, a length limit that the
// column's VARCHAR cannot exceed, a key that is alone the primary key, a natural key
// that a unique index holds), passes without a query; with the constraint gone, the
// check runs. It never writes business rows and
// never changes the schema: a database whose schema is older or newer than it knows is
// refused, naming both versions.
//
// Usage:
//
//	validate [flags]
//
// Flags:
//
//	-dsn DSN          the database, user:password@tcp(host:port)/name (default $MARIADB_DSN)
//	-domain NAME      clevity (default) or distributech
//	-out DIR          folder for the report (default ".")
//	-json FILE|-      also write the results as JSON to FILE, or - for stdout
//	-source DIR       also check the sources of DIR against the journal and the rows
//	                  (see below)
//	-today DATE       the date beyond which a date is in the future, YYYY-MM-DD (default:
//	                  the local date of this machine, as migration and reprise judge; the
//	                  database server's CURRENT_DATE is not used)
//	-quiet            print nothing when every check passes (for cron)
//	-h                print this manual
//
// It first reads the journal: the latest migration and the latest reprise must have
// finished. A failed one, or one still marked running whose run lease expired (killed,
// or its server restarted), fails, naming the run: the database may be half-loaded, and
// running the same command again finishes the job. While a load holds a live lease, it
// is a warning ("a load is in progress"). A journal without any loading run is a warning
// too. A table without rows is a warning; a database whose tables are all empty fails,
// since a nightly check must not call an empty database valid.
//
// Every row carries a fingerprint written when it was loaded (row_sha: the SHA-256 of
// its canonical values; a project's covers its sites). validate recomputes it in SQL:
// a row whose values no longer give its fingerprint, or that has none while its run is
// younger than fingerprints, was changed or added outside the toolkit and fails ("rows
// changed outside the toolkit"); rows loaded before fingerprints existed are a warning.
// Two rows of a table claiming the same run, file and line fail ("source lines claimed
// twice"). The fingerprint is a checksum, not a signature: it catches changes made by
// hand or by other tools, not someone who recomputes it on purpose.
//
// -source DIR checks the sources of DIR, listed as migration lists them (the domain's
// files; for distributech every table of distributech.sqlite and every weekly file of
// commandes/): each was read whole by a run of the journal and accounted for (read =
// inserted + updated + rejected + ignored; updated: reference rows the file changed),
// and each is compared, line by line, with the rows the runs that read it loaded: read
// and normalised as migration does, a row that differs from its line, or a valid line
// whose row is missing (neither in the table nor rejected), fails ("source FILE rows"). A file the domain expects that DIR lacks
// fails, so a wrong folder never passes.
//
// Outputs:
//
//	DIR/rapport_validation_<YYYYMMDD-HHMMSS>.txt   the report, named by its start time (UTC);
//	                  a second run in the same second gets _2, _3... before .txt, so
//	                  reports never overwrite each other and their names sort by time.
//	                  Per check: PASS, FAIL, WARN or ERROR, the number of offending rows,
//	                  up to 10 samples (an orphan names its row's key, file and line,
//	                  then the missing key) and the rule as what was expected; then a
//	                  summary. Beside each table's rows, the time its checks took.
//	-json FILE|-      the same results for scripts: snake_case keys, "status" (PASS, WARN,
//	                  FAIL or ERROR), "run_id", "domain", "database", "started", "today",
//	                  "duration_seconds", "volumes" (rows per table), "time_by_table"
//	                  (each "table" and the "seconds" its checks took), "checks" (each
//	                  with "name", "kind", "status", "count", "sample", "description",
//	                  "error" when it could not run, "seconds": checks sharing a scan
//	                  share its time equally) and "summary" ("checks", "passed",
//	                  "failed", "warnings", "errors": the checks that could not run).
//
// A check that could not run is not a failure: its query was refused (a column altered
// or dropped behind the toolkit's back, a privilege withheld from the account, the
// server gone), so it found nothing either way. It is ERROR, with "-" for its count and
// the server's reason ("could not run: ..."), and the others run all the same. The
// verdict is then incomplete: the run's status is ERROR even when other checks failed,
// the summary names the checks that could not run and those that failed all the same,
// the stderr line says "N of M checks could not run, the verdict is incomplete (...)"
// and names the failed checks too, the journal records the run as failed, and validate
// exits 2. Fix what the reason says (restore the column, grant the privilege) and run
// it again.
//
// A summary line goes to stderr (none with -quiet when every check passes). The run is
// recorded in the journal when the account may write it: an account with SELECT only
// (or a read-only server) gets the same checks and exit status, and one line on stderr
// saying that the run is not recorded (none with -quiet). Its results are also stored in
// validate_results (one row per check: status, count, sample, rule), which the final
// report (rapport) reads; an account that may write the journal but not
// validate_results still validates, and one line says the results were not stored.
//
// With -domain distributech it also holds the stock to its sources: for every product,
// current stock = snapshot + receipts - orders and the movement history adds up to it;
// products without a stock snapshot (SANS_INVENTAIRE), under their alert threshold
// (SOUS_SEUIL) or out of stock (RUPTURE) are warnings, as analyse_stock names them.
//
// Exit status: 0 every check passes (warnings allowed), 1 a check fails, 2 it could not
// check (database down, wrong password, missing tables, another domain's database, a
// schema older or newer than it knows, interrupted), or a check could not run: 2 wins
// over 1, since a verdict with checks missing cannot be called a result; the failed
// checks are named all the same.
//
// Example:
//
//	export MARIADB_DSN='root@tcp(127.0.0.1:3306)/clevity'
//	validate -out out/reports
//	validate -out out/reports -source data_1 -json - | jq .summary.failed
//	validate -domain distributech -dsn 'root@tcp(127.0.0.1:3306)/distributech' -out out/reports
package main
