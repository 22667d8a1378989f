// Migration loads a domain's CSV files into MariaDB, checking every row, and accounts for
// every row it read: inserted, rejected (with its reasons) or ignored (duplicates and
// rows already loaded).
//
// Usage:
//
//	migration [-dsn DSN] [-domain clevity] [-out DIR] [-entity NAME] [-rejects FILE|-] [-dry-run] INPUT
//
// INPUT is a folder holding the domain's files (clients.csv, intervenants.csv,
// projets.csv, affectations.csv, loaded in that order), one file (its entity taken from
// its name, or from -entity), or - for standard input (with -entity).
//
// It creates the tables it needs when they are missing and never drops, truncates or
// overwrites anything. A row whose key is already in the database is ignored when it is
// identical (ALREADY_LOADED) and rejected as a conflict when it differs, so running the
// same migration twice, or again after it was killed, leaves the database as one
// uninterrupted run does. Two migrations against one database take turns.
//
// Outputs, in -out (default "."):
//
//	log.txt                 one line per operation, appended (time, level, action, run, file, line, code, detail)
//	rapport_reprise.txt     per file and in total: read, inserted, rejected, ignored, by code
//	rapport_reprise.json    the same for scripts
//	rejets/<file>           rejected rows of each input file as read, plus _file, _line,
//	                        _errors and _raw (a SQLite table's go to
//	                        rejets/distributech.sqlite_<table>.csv)
//
// A rejected row keeps its fields as read; a row that could not be split into the
// header's columns keeps its text in _raw, its data columns empty. Values a spreadsheet
// would take for formulas get a leading quote, and so does a value that starts with a
// quote; reading such a file back (migration or reprise) removes exactly that quote.
// With -rejects FILE the rejected rows of a single entity go to FILE; with -rejects -
// to standard output, ready to be piped into reprise.
//
// Reports and rejected-row files are written under temporary names and renamed into
// place at the end of the run, once the inputs were read, so a file of rejected rows
// can be fixed and fed back with the same -out (or -rejects naming the input). A file
// replaced is kept as NAME.<run_id>.EXT; a rejected-row file of an input that has no
// rejected row this time is kept that way too, and none is left in its place. A run
// that fails leaves the previous files as they were.
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
