package main

import (
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"dmt/pkg/mariadb"
	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/progtest"
	"dmt/pkg/store"
)

// checkNamed returns the check of rep named name, failing the test when there is none.
func checkNamed(t *testing.T, rep jsonReport, name string) check {
	t.Helper()
	i := slices.IndexFunc(rep.Checks, func(c check) bool { return c.Name == name })
	if i < 0 {
		t.Fatalf("no check named %q", name)
	}
	return rep.Checks[i]
}

// TestInterruptedMigrationFails kills a migration between two batches, as a crash or
// a reboot would, and runs validate as the nightly script does (no -source): while the
// killed run's lease lives, validate cannot tell it from a slow run and warns that a
// load is in progress; once the lease expired, the half-loaded database fails, naming
// the run; the same migration run again finishes the job and validate passes.
func TestInterruptedMigrationFails(t *testing.T) {
	t.Parallel()
	dsn := mariadbtest.NewDatabase(t)
	out := t.TempDir()
	cmd := exec.Command(progtest.Path("migration"), "-dsn", dsn, "-out", out, "-batch", "10", sample(t))
	cmd.Env = append(os.Environ(), "DMT_TEST_PAUSE_AFTER_BATCH=200ms", "DMT_TEST_LEASE=8s")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		logText, _ := os.ReadFile(filepath.Join(out, "log.txt"))
		if strings.Count(string(logText), "action=committed") >= 3 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("migration never committed 3 batches")
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	db := openDB(t, dsn)
	var runID string
	if err := db.QueryRow("SELECT run_id FROM journal WHERE status = 'running'").Scan(&runID); err != nil {
		t.Fatalf("killed run not in the journal as running: %v", err)
	}

	res, rep := runValidate(t, dsn)
	if c := checkNamed(t, rep, "last migration run"); res.Code != 0 || c.Status != "WARN" || len(c.Sample) != 1 ||
		!strings.Contains(c.Sample[0], "a load is in progress (run "+runID) {
		t.Errorf("while the killed run's lease lives: exit %d, last migration run %s %v; want 0 and WARN a load is in progress: %s",
			res.Code, c.Status, c.Sample, res.Stderr)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		var live int
		if err := db.QueryRow("SELECT COUNT(*) FROM run_lease WHERE released_at IS NULL AND expires_at > UTC_TIMESTAMP(3)").Scan(&live); err != nil {
			t.Fatal(err)
		}
		if live == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the killed run's lease never expired")
		}
	}

	res, rep = runValidate(t, dsn)
	if res.Code != 1 || !strings.Contains(res.Stderr, runID) || strings.Count(strings.TrimSpace(res.Stderr), "\n") > 0 {
		t.Errorf("exit %d, stderr %q; want 1 and one line naming run %s", res.Code, res.Stderr, runID)
	}
	c := checkNamed(t, rep, "last migration run")
	if c.Status != "FAIL" || len(c.Sample) != 1 || !strings.Contains(c.Sample[0], "interrupted run "+runID) ||
		!strings.Contains(c.Sample[0], "run the same command again") {
		t.Errorf("last migration run: %s %v; want FAIL naming the interrupted run %s", c.Status, c.Sample, runID)
	}

	if res := progtest.Run(t, nil, nil, "migration", "-dsn", dsn, "-out", t.TempDir(), sample(t)); res.Code != 0 {
		t.Fatalf("migration again: exit %d: %s", res.Code, res.Stderr)
	}
	if res, rep := runValidate(t, dsn); res.Code != 0 || rep.Summary.Failed != 0 || rep.Summary.Warnings != 0 {
		t.Errorf("after the rerun: exit %d, summary %+v: %s", res.Code, rep.Summary, res.Stderr)
	}
}

// TestLatestLoadingRun puts the journal's latest migration run in each state it can be
// found in at night, with the run lease live (held by another session), expired
// (its holder died without releasing it), or free.
func TestLatestLoadingRun(t *testing.T) {
	t.Parallel()
	const (
		free    = ""
		live    = "live"
		expired = "expired"
	)
	cases := []struct {
		name, status, message string
		lease                 string
		want                  string // status of "last migration run"
		code                  int
		sample                string
	}{
		{"running, lease live: a load in progress", "running", "", live, "WARN", 0, "a load is in progress (run ghost-run"},
		{"running, lease free: the run died", "running", "", free, "FAIL", 1, "interrupted run ghost-run (migration, started 2030-01-02 03:04:05 UTC)"},
		{"running, lease expired: the run died", "running", "", expired, "FAIL", 1, "interrupted run ghost-run (migration, started 2030-01-02 03:04:05 UTC)"},
		{"failed", "failed", "insert batch 3: connection\nlost", free, "FAIL", 1, "run ghost-run (migration, started 2030-01-02 03:04:05 UTC) failed: insert batch 3: connection lost"},
		{"failed, lease live: being redone", "failed", "killed", live, "WARN", 0, "a load is in progress"},
		{"failed, lease expired", "failed", "killed", expired, "FAIL", 1, "run ghost-run (migration, started 2030-01-02 03:04:05 UTC) failed: killed"},
		{"rows rejected", "data_errors", "", free, "PASS", 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dsn := migrated(t)
			db := openDB(t, dsn)
			if _, err := db.Exec("INSERT INTO journal (run_id, tool, domain, started_at, status, message) VALUES ('ghost-run', 'migration', 'clevity', '2030-01-02 03:04:05', ?, ?)",
				c.status, c.message); err != nil {
				t.Fatal(err)
			}
			switch c.lease {
			case live:
				holdLease(t, dsn)
			case expired:
				// The lease the migration of migrated() released, now the ghost run's,
				// left unreleased and expired a minute ago.
				if _, err := db.Exec(`UPDATE run_lease SET run_id = 'ghost-run', host = 'gone', released_at = NULL,
					acquired_at = UTC_TIMESTAMP(3) - INTERVAL 2 MINUTE, renewed_at = UTC_TIMESTAMP(3) - INTERVAL 2 MINUTE,
					expires_at = UTC_TIMESTAMP(3) - INTERVAL 1 MINUTE WHERE name = 'load'`); err != nil {
					t.Fatal(err)
				}
			}
			res, rep := runValidate(t, dsn)
			if res.Code != c.code {
				t.Errorf("exit %d, want %d: %s", res.Code, c.code, res.Stderr)
			}
			ch := checkNamed(t, rep, "last migration run")
			if ch.Status != c.want || (c.sample != "" && (len(ch.Sample) != 1 || !strings.HasPrefix(ch.Sample[0], c.sample))) {
				t.Errorf("last migration run: %s %q; want %s %q", ch.Status, ch.Sample, c.want, c.sample)
			}
			for _, other := range rep.Checks {
				if other.Name != ch.Name && other.Status != "PASS" {
					t.Errorf("%s: %s %v", other.Name, other.Status, other.Sample)
				}
			}
		})
	}
}

// holdLease takes the database's run lease on a session of its own, as a running
// migration does, until the test ends.
func holdLease(t *testing.T, dsn string) {
	t.Helper()
	db, err := mariadb.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	lease, err := db.AcquireLease(context.Background(), store.LeaseRequest{Name: store.LoadLease, RunID: "holder", Tool: "migration",
		Wait: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lease.Release(); db.Close() })
}

// TestEmptyTables: a table without rows is a warning that names it; a database whose
// tables are all empty fails; a database the toolkit never loaded (an empty journal)
// is a warning, not a failure, on that count.
func TestEmptyTables(t *testing.T) {
	t.Parallel()
	headersOnly := func(t *testing.T, keep ...string) string {
		dir := t.TempDir()
		for _, f := range []string{"clients.csv", "intervenants.csv", "projets.csv", "affectations.csv"} {
			data, err := os.ReadFile(filepath.Join(sample(t), f))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(keep, f) {
				header, _, _ := strings.Cut(string(data), "\n")
				data = []byte(header + "\n")
			}
			os.WriteFile(filepath.Join(dir, f), data, 0o644)
		}
		return dir
	}
	t.Run("affectations empty", func(t *testing.T) {
		dsn := mariadbtest.NewDatabase(t)
		if res := progtest.Run(t, nil, nil, "migration", "-dsn", dsn, "-out", t.TempDir(),
			headersOnly(t, "clients.csv", "intervenants.csv", "projets.csv")); res.Code != 0 {
			t.Fatalf("migration: exit %d: %s", res.Code, res.Stderr)
		}
		res, rep := runValidate(t, dsn)
		c := checkNamed(t, rep, "tables hold rows")
		if res.Code != 0 || c.Status != "WARN" || !slices.Equal(c.Sample, []string{"affectations"}) {
			t.Errorf("exit %d, tables hold rows: %s %v; want 0 and WARN [affectations]: %s", res.Code, c.Status, c.Sample, res.Stderr)
		}
	})
	t.Run("every table empty", func(t *testing.T) {
		dsn := mariadbtest.NewDatabase(t)
		if res := progtest.Run(t, nil, nil, "migration", "-dsn", dsn, "-out", t.TempDir(), headersOnly(t)); res.Code != 0 {
			t.Fatalf("migration: exit %d: %s", res.Code, res.Stderr)
		}
		res, rep := runValidate(t, dsn)
		c := checkNamed(t, rep, "tables hold rows")
		if res.Code != 1 || c.Status != "FAIL" || c.Count != 5 || !strings.Contains(res.Stderr, "tables hold rows") {
			t.Errorf("exit %d, tables hold rows: %s %d %v; want 1 and FAIL on 5 tables: %s", res.Code, c.Status, c.Count, c.Sample, res.Stderr)
		}
		if c := checkNamed(t, rep, "last migration run"); c.Status != "PASS" {
			t.Errorf("last migration run: %s %v", c.Status, c.Sample)
		}
	})
	t.Run("never loaded", func(t *testing.T) {
		dsn := mariadbtest.NewDatabase(t)
		db, err := mariadb.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.Migrate(context.Background(), "clevity", "test"); err != nil {
			t.Fatal(err)
		}
		_, rep := runValidate(t, dsn)
		if c := checkNamed(t, rep, "last migration run"); c.Status != "WARN" {
			t.Errorf("last migration run: %s %v; want WARN", c.Status, c.Sample)
		}
		if c := checkNamed(t, rep, "last reprise run"); c.Status != "PASS" {
			t.Errorf("last reprise run: %s %v; want PASS", c.Status, c.Sample)
		}
	})
}

func openDB(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
