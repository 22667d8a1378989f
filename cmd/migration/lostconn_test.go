package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dmt/pkg/mariadb/mariadbtest"
)

// TestConnectionCutAtCommit runs the migration through a proxy that breaks the
// connection of one batch at its COMMIT, after the server applied it or before. Either
// way the run finishes clean, as an uninterrupted one: every row once, nothing refused
// as a duplicate of itself, the journal's counts those of the tables, each batch logged
// once, and the lost connection logged.
func TestConnectionCutAtCommit(t *testing.T) {
	t.Parallel()
	data := writeDataset(t, 600)
	refDSN := mariadbtest.NewDatabase(t)
	if res := migration(t, refDSN, "-out", t.TempDir(), "-batch", "100", data); res.code != 0 {
		t.Fatalf("reference run exit %d: %s", res.code, res.stderr)
	}
	want := content(t, openDB(t, refDSN))
	const rows = 600 + 20 + 600 + 1200

	// Batches of 100: clients 1-6, intervenants 7, projets 8-13, affectations 14-25.
	for _, c := range []struct {
		how    mariadbtest.Cut
		commit int
	}{
		{mariadbtest.AfterCommit, 3},
		{mariadbtest.BeforeCommit, 3},
		{mariadbtest.AfterCommit, 10}, // projets: the affectations refer to its rows
		{mariadbtest.AfterCommit, 20},
	} {
		t.Run(fmt.Sprintf("%s %d", c.how, c.commit), func(t *testing.T) {
			dsn := mariadbtest.NewDatabase(t)
			proxy, proxyDSN := mariadbtest.NewProxy(t, dsn)
			proxy.CutAt(c.commit, c.how, false)
			out := t.TempDir()
			res := migration(t, proxyDSN, "-out", out, "-batch", "100", data)
			if res.code != 0 {
				t.Errorf("exit %d, want 0: %s", res.code, res.stderr)
			}
			if proxy.Cuts() != 1 {
				t.Fatalf("the proxy cut %d connections, want 1", proxy.Cuts())
			}
			db := openDB(t, dsn)
			if got := content(t, db); got != want {
				t.Errorf("content differs from an uninterrupted run (%d vs %d bytes)", len(got), len(want))
			}
			if n := count(t, db, "SELECT COUNT(*) FROM rejections"); n != 0 {
				t.Errorf("%d rejections, want 0", n)
			}
			if n := count(t, db, "SELECT SUM(inserted) FROM journal_files WHERE `read` = inserted"); n != rows {
				t.Errorf("journal_files: %d rows inserted, want %d", n, rows)
			}
			if n := count(t, db, `SELECT COUNT(*) FROM journal_files f WHERE (f.read, f.inserted, f.rejected, f.ignored) <> (
				SELECT SUM(b.read), SUM(b.inserted), SUM(b.rejected), SUM(b.ignored) FROM journal_batches b WHERE b.run_id = f.run_id AND b.file = f.file)`); n != 0 {
				t.Errorf("%d files whose journal_batches do not add up to their journal_files counts", n)
			}
			rep := readReport(t, out)
			if rep.Totals.Inserted != rows || rep.Totals.Rejected != 0 {
				t.Errorf("report totals %+v, want %d inserted, 0 rejected", rep.Totals, rows)
			}
			logText, err := os.ReadFile(filepath.Join(out, "log.txt"))
			if err != nil {
				t.Fatal(err)
			}
			batches := count(t, db, "SELECT COUNT(*) FROM journal_batches")
			if n := strings.Count(string(logText), "action=committed"); n != batches {
				t.Errorf("log.txt has %d committed lines for %d batches", n, batches)
			}
			if n := strings.Count(string(logText), "action=reconnected"); n != 1 {
				t.Errorf("log.txt has %d reconnected lines, want 1", n)
			}
		})
	}
}

// TestServerGoneAtCommit: the server goes away for good at a batch's COMMIT. The run
// stops with exit 2 and one line saying that running the same command again finishes
// the job; it does, with the content of an uninterrupted run.
func TestServerGoneAtCommit(t *testing.T) {
	t.Parallel()
	data := writeDataset(t, 300)
	refDSN := mariadbtest.NewDatabase(t)
	if res := migration(t, refDSN, "-out", t.TempDir(), "-batch", "100", data); res.code != 0 {
		t.Fatalf("reference run exit %d: %s", res.code, res.stderr)
	}
	want := content(t, openDB(t, refDSN))

	dsn := mariadbtest.NewDatabase(t)
	proxy, proxyDSN := mariadbtest.NewProxy(t, dsn)
	proxy.CutAt(2, mariadbtest.AfterCommit, true)
	args := []string{"-today", "2026-11-15", "-out", t.TempDir(), "-batch", "100", data}
	// A short lease: the run cannot release its lease, the rerun waits for it to expire.
	res := runProg(t, []string{"DMT_TEST_RECONNECT_WITHIN=2s", "DMT_TEST_LEASE=2s"}, "migration", append([]string{"-dsn", proxyDSN}, args...)...)
	if res.code != 2 {
		t.Fatalf("exit %d, want 2: %s", res.code, res.stderr)
	}
	lines := strings.Split(strings.TrimSpace(res.stderr), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "run the same command again to finish the job") {
		t.Errorf("stderr %q, want one line saying to run the same command again", res.stderr)
	}
	res = runProg(t, nil, "migration", append([]string{"-dsn", dsn}, args...)...)
	if res.code != 0 {
		t.Fatalf("rerun exit %d, want 0: %s", res.code, res.stderr)
	}
	db := openDB(t, dsn)
	if got := content(t, db); got != want {
		t.Errorf("content after the rerun differs from an uninterrupted run (%d vs %d bytes)", len(got), len(want))
	}
	if n := count(t, db, "SELECT COUNT(*) FROM journal WHERE status = 'failed'"); n != 1 {
		t.Errorf("%d failed runs in the journal, want the interrupted one", n)
	}
}
