// Migration loads a domain's CSV files into MariaDB, checking every row, and accounts for
// every row it read: inserted, rejected (with its reasons) or ignored (duplicates and
// rows already loaded).
//
// Usage:
//
//	migration [flags] INPUT
//
// INPUT is a folder holding the domain's files (clients.csv, intervenants.csv,
// projets.csv, affectations.csv, loaded in that order), one file (its entity taken from
// its name, or from -entity), or - for standard input (with -entity). In a folder, names
// match without regard to case (Clients.CSV is clients.csv); two names that differ only
// by case are refused. Only regular files are read: a named pipe, a device, a folder
// named like a file (clients.csv/), a symbolic link that loops are refused with one line
// saying what they are (a stream goes through -). A file name that is not UTF-8 (Latin-1)
// is recorded in the journal and the lineage with its odd bytes escaped (\xe9). What a
// run writes is never read as input: the kept versions NAME.<run_id>.EXT and hidden
// temporary files are left out of the weekly files' pattern, and a folder input is read
// whole before any output replaces a file in it.
//
// Flags:
//
//	-dsn DSN          the database, user:password@tcp(host:port)/name (default $MARIADB_DSN);
//	                  not needed with -dry-run
//	-create-db        create the database when it does not exist (utf8mb4)
//	-domain NAME      clevity (default) or distributech
//	-out DIR          folder for log.txt, the reports and rejets/ (default ".")
//	-entity NAME      entity of a single file or of stdin: clients, intervenants, projets,
//	                  affectations (distributech: regions, revendeurs, produits, stock,
//	                  receptions, commandes); default: taken from the file's name
//	-rejects FILE|-   write the rejected rows of a single entity to FILE, or - for stdout,
//	                  instead of rejets/<file>
//	-dry-run          check everything and write the reports, but write nothing to the
//	                  database; without a database, check the files alone
//	-batch N          rows per transaction (default 5000, as reprise)
//	-today DATE       the date taken as today by the not-in-the-future checks, YYYY-MM-DD
//	                  (default: the local date of this machine)
//	-quiet            print nothing when the run is clean
//	-h                print this manual
//
// Input files are ',', ';' or tab separated, in UTF-8 (with or without BOM) or
// Windows-1252, with LF, CRLF or CR (classic Mac OS) line ends and RFC 4180 quoting. Each
// line is decoded on its own: a line in the other encoding than its file's is read right
// and logged (MIXED_ENCODING), and so is a BOM removed from the start of a row (STRAY_BOM,
// two exports pasted together). A quoted value may span lines, unless one of its later
// lines is by itself a whole row of the file: two rows merged by stray quotes, rejected
// together as MALFORMED_ROW with their text (no column of the contract expects
// multi-line text). A line longer than 4 MiB is MALFORMED_ROW: reading holds its first
// 4 MiB only, so memory stays bounded; the database keeps its text cut (raw_bytes its
// whole size) and _raw the whole line, copied again from the file (from stdin, which
// cannot be read twice, only its first 4 MiB, _errors saying so); fields beyond the header's count are counted, not
// kept. A file whose header names a column twice, has more than twice the entity's
// columns, or breaks a column name over two lines, and a file that is no CSV text
// (gzip, an Excel workbook, UTF-16 "Texte Unicode"), stop the run before anything is
// loaded, with one line saying which.
//
// The database must exist, unless -create-db is given (so a typo in its name never
// creates one). Its schema is brought up to date, under the run lease, by the embedded
// schema steps it lacks; a database of the other domain, or with a newer schema, is
// refused. It never drops, truncates or overwrites anything. A row whose key is already in the database is ignored when it is
// identical (ALREADY_LOADED) and rejected as a conflict when it differs, so running the
// same migration twice, or again after it was killed, leaves the database as one
// uninterrupted run does. Distributech's reference data is the exception: the
// wholesaler renames and reprices products, moves resellers and renames regions in the
// SQLite file, so a changed row of regions, revendeurs or produits replaces the loaded
// one (same key, counted as updated, logged field by field: action=updated, detail
// `nom "old" -> "new"; ...`), and the values it replaces are kept in
// <table>_historique, in force until the day before the run's date (-today). Facts
// never change: a changed stock snapshot, receipt or order line stays a
// DUPLICATE_KEY_CONFLICT. Two migrations (or a migration and a reprise) against one
// database take turns: a run holds the database's run lease, a row of run_lease that it
// renews every 15 s and releases at its end; the next run waits for it ("waiting for it
// to finish"), and takes over the lease of a run that died once it expired (60 s after
// its last renewal). A run that finds its lease lost (cut off from the server for 45 s)
// stops before its next batch (exit 2). Each batch
// is one transaction that also records itself in journal_batches: when the connection
// breaks, even with the COMMIT in flight, the batch is looked up on a new connection and
// written again only if it is not there; when the server stays away for 30 s, the run
// stops (exit 2) and running the same command again finishes the job.
//
// Outputs, in -out:
//
//	log.txt                 one line per operation, appended (time, level, action, run, file, line, code, detail)
//	rapport_reprise.txt     the run's status (complete, interrupted, failed); per file and in total:
//	                        read, inserted, rejected (new and still rejected), ignored, by code;
//	                        the files skipped as unchanged
//	rapport_reprise.json    the same for scripts (snake_case keys, with the run's "status")
//	rejets/<file>           rejected rows of each input file as read, plus _file, _line,
//	                        _errors and _raw (a SQLite table's go to
//	                        rejets/distributech.sqlite_<table>.csv), in the input's
//	                        separator and line ends, UTF-8 with a BOM when the input had
//	                        one or was Windows-1252 (so French Excel opens it right)
//
// A summary line goes to stderr (none with -quiet when the run is clean).
//
// A rejected row keeps its fields as read; a row that could not be split into the
// header's columns keeps its text in _raw, its data columns empty. Values a spreadsheet
// would take for formulas get a leading quote, and so does a value that starts with a
// quote; reading such a file back (migration or reprise) removes exactly that quote.
// With -rejects FILE the rejected rows of a single entity go to FILE; with -rejects -
// to standard output (plain UTF-8, ',' and LF), ready to be piped into reprise. The
// rejections table keeps each row's text too, cut to what its columns and the server's
// max_allowed_packet allow (raw_bytes and detail_bytes then give the whole size): a
// 50 MB line is one rejected row, never a batch the server refuses.
//
// Reports and rejected-row files are written under temporary names and renamed into
// place at the end of the run, once the inputs were read, so a file of rejected rows
// can be fixed and fed back with the same -out (or -rejects naming the input). A file
// replaced is kept as NAME.<run_id>.EXT: a report under the id of the run that wrote
// it (read from the JSON report), a rejected-row file under the id of the run that
// replaced it; a rejected-row file of an input that has no
// rejected row this time is kept that way too, and none is left in its place. A run
// that fails leaves the previous files as they were.
//
// Files read again: each file (and SQLite table) is hashed first. One that an earlier
// migration read to its end with the same SHA-256 and without rejecting a row is skipped,
// and the report and the log say since which run. One with earlier rejections is judged
// again, since the parents its rows lacked may have arrived: a row rejected again with
// the same codes at the same line as in the latest earlier complete run of the same
// content is "still rejected", counted apart in the report and on the console, and is
// not a new problem. Rows already loaded are one log line per file (ALREADY_LOADED,
// with their count), not one line each. Standard input is never skipped; reports, logs
// and the journal call it stdin.
//
// Interrupted (Ctrl-C, SIGTERM), a run keeps the batches already committed and stops;
// the report, the journal and the console count exactly those rows (rows read after
// them are in no count), say that the run was interrupted, and running the same command
// again finishes the job. A second Ctrl-C stops it at once (exit 130).
//
// With -domain distributech, INPUT is a folder holding distributech.sqlite (regions,
// revendeurs, produits, stock, receptions, read with a pure-Go driver) and commandes/
// (the weekly order files, loaded in name order); each snapshot, receipt and order line
// writes its stock movement in the same transaction. A later run with new weekly files
// loads only what is new: the weeks loaded cleanly are skipped, and the exit status of a
// weekly job is 1 only when the new files bring rejected rows.
//
// Exit status: 0 every row inserted or ignored, or rejected only as before (still
// rejected); 1 new rows rejected; 2 could not run (usage, missing file or column, empty
// file, database unreachable or refusing, accounting that does not balance) or was
// interrupted; 130 stopped at once by a second Ctrl-C. A header that cannot be the
// entity's or a file that is no CSV text is a 2 too.
//
// Example:
//
//	export MARIADB_DSN='root@tcp(127.0.0.1:3306)/clevity'
//	migration -create-db -out out data_1
//	migration -entity projets -rejects - data_1/projets.csv | reprise -entity projets -out out -
//	migration -dry-run -out out/check data_1
//	migration -dsn 'root@tcp(127.0.0.1:3306)/distributech' -domain distributech -out out/dt dt
package main
