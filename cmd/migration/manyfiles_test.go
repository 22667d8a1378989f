package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/go-sql-driver/mysql"

	"dmt/pkg/mariadb/mariadbtest"
)

// TestRowsReadPerFileFlat loads weekly order files in three runs into one database: a
// first run (the SQLite file and 20 files), run X (30 files), then run Y (120 files),
// and counts the rows the server reads for each (information_schema.table_statistics,
// the engine's own count per table, kept while userstat is on). The work per file must
// not grow with the files read before it, in the run or in earlier runs: Y's rows per
// file beyond X's (its 90 more files) must not exceed X's rows per file by half. It
// fails when a per-file statement reads the rows of every earlier file: the journal's
// look-up of a file's SHA-256 without its index, the stock movements of a batch found
// by run_id alone (730 rows a file in Y against 230 in X; flat, 10 against 34, X's
// including its run's own cost).
func TestRowsReadPerFileFlat(t *testing.T) {
	t.Parallel()
	dsn := mariadbtest.NewDatabase(t)
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	db := openDB(t, dsn)
	// userstat is left on: turning it off again could stop the counters of another
	// test measuring at the same time, and its cost is a few counters per statement.
	if _, err := db.Exec("SET GLOBAL userstat = 1"); err != nil {
		t.Fatalf("turn the server's table statistics on: %v", err)
	}
	dir := distributechData(t, "1", 12, "0.04")
	files, err := filepath.Glob(filepath.Join(dir, "commandes", "*.csv"))
	if err != nil || len(files) < 170 {
		t.Fatalf("%d weekly files generated (%v), want at least 170", len(files), err)
	}
	rowsRead := func() int {
		return count(t, db, "SELECT COALESCE(SUM(rows_read), 0) FROM information_schema.table_statistics WHERE table_schema = ?", cfg.DBName)
	}
	load := func(from, n int) int {
		t.Helper()
		run := t.TempDir()
		if err := os.Mkdir(filepath.Join(run, "commandes"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Link(filepath.Join(dir, "distributech.sqlite"), filepath.Join(run, "distributech.sqlite")); err != nil {
			t.Fatal(err)
		}
		for _, f := range files[from : from+n] {
			if err := os.Link(f, filepath.Join(run, "commandes", filepath.Base(f))); err != nil {
				t.Fatal(err)
			}
		}
		before := rowsRead()
		if res := runProg(t, nil, "migration", "-dsn", dsn, "-domain", "distributech", "-today", dtToday,
			"-out", t.TempDir(), "-quiet", run); res.code > 1 {
			t.Fatalf("migration of files %d to %d: exit %d: %s", from, from+n, res.code, res.stderr)
		}
		return rowsRead() - before
	}
	load(0, 20)
	x := load(20, 30)
	y := load(50, 120)
	if x <= 0 {
		t.Fatalf("run X read %d rows: the server's table statistics count nothing", x)
	}
	perX, beyond := float64(x)/30, float64(y-x)/90
	t.Logf("rows read: run X %d (%.1f a file), run Y %d (%.1f a file beyond X's)", x, perX, y, beyond)
	if beyond > 1.5*perX {
		t.Errorf("rows read per file grow with the files read before: %.1f a file in run Y beyond run X's, %.1f a file in run X", beyond, perX)
	}
}
