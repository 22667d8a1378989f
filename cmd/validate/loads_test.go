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
// a reboot would, and runs validate as the nightly script does (no -source): the
// half-loaded database fails, naming the run; the same migration run again finishes
// the job and validate passes.
func TestInterruptedMigrationFails(t *testing.T) {
	dsn := mariadbtest.NewDatabase(t)
	out := t.TempDir()
	cmd := exec.Command(progtest.Path("migration"), "-dsn", dsn, "-out", out, "-batch", "10", sample(t))
	cmd.Env = append(os.Environ(), "DMT_TEST_PAUSE_AFTER_BATCH=200ms")
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
	var runID string
	if err := openDB(t, dsn).QueryRow("SELECT run_id FROM journal WHERE status = 'running'").Scan(&runID); err != nil {
		t.Fatalf("killed run not in the journal as running: %v", err)
	}

	res, rep := runValidate(t, dsn)
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
// found in at night, with the load lock held by another session or free.
func TestLatestLoadingRun(t *testing.T) {
	cases := []struct {
		name, status, message string
		locked                bool
		want                  string // status of "last migration run"
		code                  int
		sample                string
	}{
		{"running, lock held: a load in progress", "running", "", true, "WARN", 0, "a load is in progress (run ghost-run"},
		{"running, lock free: the run died", "running", "", false, "FAIL", 1, "interrupted run ghost-run (migration, started 2030-01-02 03:04:05 UTC)"},
		{"failed", "failed", "insert batch 3: connection\nlost", false, "FAIL", 1, "run ghost-run (migration, started 2030-01-02 03:04:05 UTC) failed: insert batch 3: connection lost"},
		{"failed, lock held: being redone", "failed", "killed", true, "WARN", 0, "a load is in progress"},
		{"rows rejected", "data_errors", "", false, "PASS", 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dsn := migrated(t)
			db := openDB(t, dsn)
			if _, err := db.Exec("INSERT INTO journal (run_id, tool, domain, started_at, status, message) VALUES ('ghost-run', 'migration', 'clevity', '2030-01-02 03:04:05', ?, ?)",
				c.status, c.message); err != nil {
				t.Fatal(err)
			}
			if c.locked {
				holdLoadLock(t, dsn)
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

// holdLoadLock takes the database's load lock on a session of its own, as a running
// migration does, until the test ends.
func holdLoadLock(t *testing.T, dsn string) {
	t.Helper()
	db, err := mariadb.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	lock, err := db.Acquire(context.Background(), mariadb.LoadLock(db.Cfg.DBName), time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lock.Release(); db.Close() })
}

// TestEmptyTables: a table without rows is a warning that names it; a database whose
// tables are all empty fails; a database the toolkit never loaded (an empty journal)
// is a warning, not a failure, on that count.
func TestEmptyTables(t *testing.T) {
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
