// Migration loads a domain's CSV files into MariaDB, checking every row, and accounts for
// every row it read: inserted, rejected (with its reasons) or ignored (duplicates and
// rows already loaded).
//
// Usage:
//
//	migration [-dsn DSN] [-create-db] [-domain clevity] [-out DIR] [-entity NAME] [-rejects FILE|-] [-dry-run] INPUT
//
// INPUT is a folder holding the domain's files (clients.csv, intervenants.csv,
// projets.csv, affectations.csv, loaded in that order), one file (its entity taken from
// its name, or from -entity), or - for standard input (with -entity).
//
// The database must exist, unless -create-db is given (so a typo in its name never
// creates one). Its schema is brought up to date, under the run lock, by the embedded
// schema steps it lacks; a database of the other domain, or with a newer schema, is
// refused. It never drops, truncates or overwrites anything. A row whose key is already in the database is ignored when it is
// identical (ALREADY_LOADED) and rejected as a conflict when it differs, so running the
// same migration twice, or again after it was killed, leaves the database as one
// uninterrupted run does. Two migrations against one database take turns. Each batch
// is one transaction that also records itself in journal_batches: when the connection
// breaks, even with the COMMIT in flight, the batch is looked up on a new connection and
// written again only if it is not there; when the server stays away for 30 s, the run
// stops (exit 2) and running the same command again finishes the job.
//
// Outputs, in -out (default "."):
//
//	log.txt                 one line per operation, appended (time, level, action, run, file, line, code, detail)
//	rapport_reprise.txt     per file and in total: read, inserted, rejected, ignored, by code
//	rapport_reprise.json    the same for scripts
//	rejets/<file>           rejected rows of each input file as read, plus _line and _errors
//	                        (a SQLite table's go to rejets/distributech.sqlite_<table>.csv)
//
// With -rejects - the rejected rows of a single entity go to standard output instead,
// ready to be piped into reprise.
//
// Exit status: 0 every row inserted or ignored; 1 rows rejected; 2 could not run (usage,
// missing file or column, empty file, database unreachable or refusing, accounting that
// does not balance).
//
// With -domain distributech, INPUT is a folder holding distributech.sqlite (regions,
// revendeurs, produits, stock, receptions, read with a pure-Go driver) and commandes/
// (the weekly order files, loaded in name order); each snapshot, receipt and order line
// writes its stock movement in the same transaction. A later run with new weekly files
// loads only what is new.
//
// Example:
//
//	export MARIADB_DSN='root@tcp(127.0.0.1:3306)/clevity'
//	migration -out out data_1
//	migration -entity projets -rejects - data_1/projets.csv | reprise -entity projets -
//	migration -dsn 'root@tcp(127.0.0.1:3306)/distributech' -domain distributech -out out dt
package main
