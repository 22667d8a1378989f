package main

import (
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"dmt/pkg/atomicfile"
	"dmt/pkg/cli"
	"dmt/pkg/mariadb"
	"dmt/pkg/store"
)

const manual = `export_sql: export the whole central database (or some tables) as a compressed SQL dump, with its SHA-256.

Usage:
  export_sql [-dsn DSN] [-out DIR] [-tables LIST] [-verify]

Runs mariadb-dump (Debian's mariadb-client) on one consistent snapshot: tables and rows,
views, routines, triggers, binary columns in hex. Writes, in DIR,
export_<database>_<YYYYMMDD-HHMMSS>.sql.gz (UTC) and its SHA-256 beside it
(.sql.gz.sha256, checked with sha256sum -c). The password reaches mariadb-dump through
an options file only its owner can read, never its command line or environment.
-verify restores the dump into a scratch database <database>_verify_<id>, compares
every table (rows and CHECKSUM TABLE) and view (rows), then drops it.
The account needs SELECT, SHOW VIEW and TRIGGER on the database, INSERT and UPDATE on
its journal, and for -verify every privilege on the databases <database>_verify_%.
Exit status: 0 written (and identical when verified), 1 the restored copy differs,
2 could not export (mariadb-dump missing, privilege missing, disk full, ...).

Example:
  export_sql -dsn 'dmt_export:secret@tcp(127.0.0.1:3306)/distributech' -out /backup -verify
  export_sql -tables produits,stock -out exports`

func main() { cli.Main("export_sql", run) }

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("export_sql", manual, stderr)
	dsn := cli.DSN(fs)
	out := cli.Out(fs, ".", "folder for export_<database>_<YYYYMMDD-HHMMSS>.sql.gz and its .sha256")
	tablesFlag := fs.String("tables", "", "export only these tables and views, comma-separated (default: all)")
	verify := fs.Bool("verify", false, "restore the dump into a scratch database and compare every table, then drop it")
	if err := cli.ParseFlagsOnly(fs, args); err != nil {
		return err
	}
	tables, err := parseTables(*tablesFlag)
	if err != nil {
		return err
	}
	if err := cli.RequireDSN(*dsn); err != nil {
		return err
	}
	// Before anything touches the database: a missing client is one line saying how
	// to install it.
	if _, err := mariadb.LookTool(mariadb.DumpTool); err != nil {
		return err
	}
	if *verify {
		if _, err := mariadb.LookTool(mariadb.ClientTool); err != nil {
			return err
		}
	}

	rr, err := cli.OpenRead(ctx, *dsn, "")
	if err != nil {
		return err
	}
	db, runID, started, where := rr.DB, rr.ID, rr.Started, rr.Where
	defer db.Close()
	if len(tables) > 0 {
		missing, err := db.MissingTables(ctx, tables)
		if err != nil {
			return err
		}
		if len(missing) > 0 {
			return cli.Usagef("-tables: no table or view %s in %s", strings.Join(missing, ", "), where)
		}
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("output folder: %w", err)
	}

	if err := rr.Record(ctx, "export_sql", args); err != nil {
		return err
	}
	status, msg := store.StatusFailed, ""
	defer func() {
		if ferr := db.FinishRun(runID, status, store.Counts{}, msg); ferr != nil {
			fmt.Fprintf(stderr, "export_sql: %v\n", ferr)
		}
	}()
	fail := func(err error) error {
		msg = err.Error()
		if ctx.Err() != nil {
			msg = "interrupted: " + msg
		}
		return err
	}

	// -verify compares the restored copy with the tables as they were just before the
	// dump, and as they are after it: a table that changed meanwhile (a load running)
	// is named as such rather than as a faulty dump.
	var before []mariadb.TableSum
	if *verify {
		if before, err = db.TableSums(ctx, db.Cfg.DBName, tables); err != nil {
			return fail(fmt.Errorf("verify: %w", err))
		}
	}
	path := filepath.Join(*out, fmt.Sprintf("export_%s_%s.sql.gz", db.Cfg.DBName, started.UTC().Format("20060102-150405")))
	sum, size, err := writeDump(ctx, db, path, runID, tables)
	if err != nil {
		return fail(err)
	}
	line := fmt.Sprintf("%s  %s\n", sum, filepath.Base(path))
	if err := atomicfile.WriteFile(path+".sha256", runID, func(w io.Writer) error {
		_, err := io.WriteString(w, line)
		return diskFull(path+".sha256", err)
	}); err != nil {
		return fail(err)
	}
	msg = fmt.Sprintf("%s, %d bytes, sha256 %s", filepath.Base(path), size, sum)
	report := fmt.Sprintf("export_sql: run %s: %s written (%s, sha256 %s)", runID, path, humanSize(size), sum[:12])

	if *verify {
		diffs, n, err := verifyDump(ctx, db, path, runID, tables, before)
		if err != nil {
			return fail(fmt.Errorf("verify: %w", err))
		}
		if len(diffs) > 0 {
			status = store.StatusDataErrors
			msg += "; verify: " + strings.Join(diffs, "; ")
			if len(diffs) > 3 {
				diffs = append(diffs[:3], "...")
			}
			return &cli.DataProblems{Msg: fmt.Sprintf("%s written, but its restored copy differs: %s", path, strings.Join(diffs, "; "))}
		}
		msg += fmt.Sprintf("; verified: %d tables and views identical", n)
		report += fmt.Sprintf("; verified: %d tables and views identical once restored", n)
	}
	status = store.StatusOK
	fmt.Fprintln(stderr, report)
	return nil
}

// parseTables splits -tables into names, refusing empty and repeated ones.
func parseTables(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var names []string
	for _, n := range strings.Split(s, ",") {
		n = strings.TrimSpace(n)
		switch {
		case n == "":
			return nil, cli.Usagef("-tables %q: an empty name", s)
		case strings.HasPrefix(n, "-"):
			return nil, cli.Usagef("-tables: %q is not a table name", n)
		case slices.Contains(names, n):
			return nil, cli.Usagef("-tables: %s given twice", n)
		}
		names = append(names, n)
	}
	return names, nil
}

// writeDump streams mariadb-dump's output through gzip into path, written under a
// temporary name and renamed into place once complete, and returns the SHA-256 of the
// compressed file and its size.
func writeDump(ctx context.Context, db *mariadb.DB, path, runID string, tables []string) (string, int64, error) {
	f, err := atomicfile.Create(path)
	if err != nil {
		return "", 0, diskFull(path, err)
	}
	defer f.Abort()
	h := sha256.New()
	cw := &countWriter{w: io.MultiWriter(f, h)}
	gz := gzip.NewWriter(cw)
	if err := db.Dump(ctx, gz, tables); err != nil {
		return "", 0, diskFull(path, err)
	}
	if err := gz.Close(); err != nil {
		return "", 0, diskFull(path, err)
	}
	if _, err := f.Commit(runID); err != nil {
		return "", 0, diskFull(path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), cw.n, nil
}

// verifyDump restores the dump at path into a scratch database and compares it with
// the database as it was before the dump, table by table. It returns the differences
// and the number of tables and views compared; the scratch database is dropped
// whatever happens.
func verifyDump(ctx context.Context, db *mariadb.DB, path, runID string, tables []string, before []mariadb.TableSum) ([]string, int, error) {
	_, suffix, _ := strings.Cut(runID, "-")
	scratch := db.Cfg.DBName + "_verify_" + suffix
	if len(scratch) > 64 {
		return nil, 0, fmt.Errorf("scratch database name %s is longer than 64 characters", scratch)
	}
	if err := db.CreateScratch(ctx, scratch); err != nil {
		return nil, 0, err
	}
	defer db.DropScratch(scratch)
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	if err := db.Restore(ctx, gz, scratch); err != nil {
		return nil, 0, err
	}
	if err := gz.Close(); err != nil {
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	restored, err := db.TableSums(ctx, scratch, nil)
	if err != nil {
		return nil, 0, err
	}
	after, err := db.TableSums(ctx, db.Cfg.DBName, tables)
	if err != nil {
		return nil, 0, err
	}
	if err := db.DropScratch(scratch); err != nil {
		return nil, 0, err
	}
	return compareSums(before, after, restored), len(before), nil
}

// compareSums names each table or view whose restored copy differs from the database
// (missing, extra, other row count or checksum).
func compareSums(before, after, restored []mariadb.TableSum) []string {
	index := func(sums []mariadb.TableSum) map[string]mariadb.TableSum {
		m := map[string]mariadb.TableSum{}
		for _, s := range sums {
			m[s.Name] = s
		}
		return m
	}
	got, now := index(restored), index(after)
	var diffs []string
	for _, b := range before {
		r, ok := got[b.Name]
		switch {
		case !ok:
			diffs = append(diffs, b.Name+": missing from the dump")
			continue
		case r == b:
			continue
		}
		d := fmt.Sprintf("%s: %d rows, checksum %d; restored %d rows, checksum %d", b.Name, b.Rows, b.Checksum, r.Rows, r.Checksum)
		if b.View {
			d = fmt.Sprintf("%s (view): %d rows; restored %d rows", b.Name, b.Rows, r.Rows)
		}
		if now[b.Name] != b {
			d += " (the table changed during the export: run it again)"
		}
		diffs = append(diffs, d)
	}
	want := index(before)
	for _, r := range restored {
		if _, ok := want[r.Name]; !ok {
			diffs = append(diffs, r.Name+": in the dump, not in the database")
		}
	}
	return diffs
}

// diskFull turns a write that ran out of space into one line saying what to do.
func diskFull(path string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, mariadb.ErrDiskFull) || isNoSpace(err) {
		return fmt.Errorf("write %s: disk full (free some space or give another -out)", path)
	}
	return err
}

func isNoSpace(err error) bool { return errors.Is(err, syscall.ENOSPC) }

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
