// Rapport writes the final report of a migration: one page that tells what was moved,
// what was refused and why, what was repaired, and whether the database is sound
// today, for a project manager or an auditor. It reads everything from the database
// (the journal, the rejections, reprise's corrections, validate's results, the rows of
// each table) and writes nothing there: no journal row, no DDL. It refuses a database
// whose schema is older or newer than the one it knows, as validate does.
//
// Usage:
//
//	rapport [-dsn DSN] [-domain clevity] [-out DIR] [-since DATE] [-title TEXT] [-today DATE]
//
// Flags:
//
//	-dsn DSN      the database, user:password@tcp(host:port)/name (default $MARIADB_DSN)
//	-domain NAME  clevity (default) or distributech
//	-out DIR      folder for the two files, created when missing (default .)
//	-since DATE   report on the runs started on or after DATE (YYYY-MM-DD, UTC);
//	              default: the whole journal
//	-title TEXT   the report's title (default "Rapport final de migration (DOMAIN)")
//	-today DATE   the date of the stock state, YYYY-MM-DD (default: today, local date)
//
// It writes, in DIR:
//
//	rapport_final.html  one self-contained page: CSS and SVG charts inline, no script,
//	                    nothing fetched; it prints to PDF from a browser with each
//	                    section on a new page, table rows and charts never cut, table
//	                    headers repeated
//	rapport_final.md    the same facts as Markdown, for a mail or a wiki
//
// A file it replaces is kept as NAME.<run_id>.EXT.
//
// What it says, for the period:
//
//   - the headline: the source files received (name, SHA-256, size, first read), rows
//     read, inserted, rejected, ignored and updated, with the accounting identity
//     read = inserted + rejected + ignored + updated checked in total and per file; the
//     rows of each table now; the last validation's verdict and date;
//   - per file (for clevity, per agency: each agency sends its own files): the same
//     counts as a stacked bar and a table, with the rejection rate. Each figure is the
//     sum of what the journal recorded for the file over the runs of the period, so a
//     file read again counts again;
//   - the rejection codes, most frequent first, as a chart and a table with up to
//     three real rows for each (file:line, the line as received, the reason), linked to
//     docs/rules.md;
//   - repairs: reprise's corrections by rule (counts, before → after examples), the
//     rows it isolated and why, and the rows left in each quarantine file (those the
//     latest reprise of the entity isolated: its quarantine replaced the earlier one);
//   - validation over time: a strip of each validate run's verdict (ERROR, grey, for a
//     run whose checks could not all run: incomplete, not failed), the checks that
//     ever failed, when, and the run in which each passed again (a run that could not
//     run a check neither fails it again nor fixes it);
//   - every run of every program (tool, start, duration, status, counts) on a timeline
//     and in a table; the interrupted runs and the run that finished each one (the
//     next run of the same tool that read whole the files it left unfinished);
//   - for distributech, the stock at -today: products per status (OK, SOUS_SEUIL,
//     RUPTURE, SANS_INVENTAIRE) and those at or under their threshold, most urgent
//     first;
//   - traceability: the query that goes from a row to its run, file and line, shown
//     with a real row of the database.
//
// A summary line goes to stderr:
//
//	rapport: wrote out/rapport_final.html and out/rapport_final.md (16 052 rows read in 5 files; last validation FAIL on 2026-11-16)
//
// Example:
//
//	rapport -dsn 'root@tcp(127.0.0.1:3306)/clevity' -out out
//	rapport -domain distributech -since 2026-11-01 -title 'Distributech : bilan de novembre' -out dt-out
//
// Exit status: 0 the report was written (whatever it says), 2 it could not be: bad
// command line, database unreachable or refused (wrong password, missing tables, a
// schema older or newer than this program's), or the files could not be written.
package main
