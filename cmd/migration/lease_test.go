package main

import (
	"bytes"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/progtest"
)

// started is a migration running in the background.
type started struct {
	cmd    *exec.Cmd
	out    string
	stderr bytes.Buffer
}

func startMigration(t *testing.T, dsn, data string, env ...string) *started {
	t.Helper()
	s := &started{out: t.TempDir()}
	s.cmd = exec.Command(progtest.Path("migration"), "-dsn", dsn, "-today", "2026-11-15", "-out", s.out, "-batch", "100", data)
	s.cmd.Env = append(os.Environ(), env...)
	s.cmd.Stderr = &s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s.cmd.ProcessState == nil {
			s.cmd.Process.Signal(syscall.SIGCONT)
			s.cmd.Process.Kill()
			s.cmd.Wait()
		}
	})
	return s
}

// waitCommitted waits until the run's log shows n committed batches.
func (s *started) waitCommitted(t *testing.T, n int) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		logText, _ := os.ReadFile(filepath.Join(s.out, "log.txt"))
		if strings.Count(string(logText), "action=committed") >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the run never committed %d batches: %s", n, s.stderr.String())
		}
	}
}

// wait waits for the run to end and returns its exit code.
func (s *started) wait(t *testing.T) int {
	t.Helper()
	timer := time.AfterFunc(120*time.Second, func() { s.cmd.Process.Kill() })
	defer timer.Stop()
	s.cmd.Wait()
	return s.cmd.ProcessState.ExitCode()
}

func runIDOf(t *testing.T, s *started) string {
	t.Helper()
	text, err := os.ReadFile(filepath.Join(s.out, "log.txt"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(text), " run=")
	if !ok {
		t.Fatalf("no run id in log.txt: %s", text)
	}
	id, _, _ := strings.Cut(rest, " ")
	return id
}

func dbName(t *testing.T, dsn string) string {
	t.Helper()
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return cfg.DBName
}

// checkOneLoad checks what two runs over the dataset of n projets leave: every row
// once, no row refused by the database (two runs writing at once refuse each other's
// rows), the second run finished.
func checkOneLoad(t *testing.T, db *sql.DB, n int, second string) {
	t.Helper()
	if got := count(t, db, "SELECT COUNT(*) FROM affectations"); got != 2*n {
		t.Errorf("affectations = %d, want %d", got, 2*n)
	}
	if got := count(t, db, "SELECT COUNT(*) FROM clients"); got != n {
		t.Errorf("clients = %d, want %d", got, n)
	}
	if got := count(t, db, "SELECT COUNT(*) FROM rejections WHERE codes LIKE '%DB_REFUSED%'"); got != 0 {
		t.Errorf("%d rows refused by the database: the runs wrote at the same time", got)
	}
	if got := count(t, db, "SELECT COUNT(*) FROM journal WHERE run_id = ? AND status = 'ok'", second); got != 1 {
		t.Errorf("the second run %s is not recorded ok", second)
	}
}

// TestLeaseSurvivesKilledConnections: the connections of a running migration are
// killed while they are idle, as a wait_timeout, a KILL or a proxy would. Its lease is
// a row, not a session's lock: it still holds, so a second migration waits for the
// first to finish instead of writing beside it, and the first is not marked failed.
// (With GET_LOCK the lock died with its connection and both wrote at once.)
func TestLeaseSurvivesKilledConnections(t *testing.T) {
	t.Parallel()
	const n = 600
	data := writeDataset(t, n)
	dsn := mariadbtest.NewDatabase(t)
	if res := migration(t, dsn, "-out", t.TempDir(), filepath.Join(data, "intervenants.csv")); res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	db := openDB(t, dsn)
	first := startMigration(t, dsn, data, "DMT_TEST_PAUSE_AFTER_BATCH=300ms", "DMT_TEST_LEASE=3s")
	first.waitCommitted(t, 2)
	var ids []int64
	rows, err := db.Query("SELECT id FROM information_schema.processlist WHERE db = ? AND command = 'Sleep' AND id <> CONNECTION_ID()", dbName(t, dsn))
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		db.Exec("KILL CONNECTION ?", id) // it may have ended meanwhile
	}
	if len(ids) == 0 {
		t.Fatal("no idle connection of the first run to kill")
	}

	second := startMigration(t, dsn, data)
	code2 := second.wait(t)
	code1 := first.wait(t)
	if code1 != 0 || code2 != 0 {
		t.Fatalf("exit %d and %d, want 0 and 0:\nfirst: %s\nsecond: %s", code1, code2, first.stderr.String(), second.stderr.String())
	}
	if !strings.Contains(second.stderr.String(), "waiting for it to finish") {
		t.Errorf("the second run did not wait for the first: %q", second.stderr.String())
	}
	run1, run2 := runIDOf(t, first), runIDOf(t, second)
	var status string
	if err := db.QueryRow("SELECT status FROM journal WHERE run_id = ?", run1).Scan(&status); err != nil || status != "ok" {
		t.Errorf("first run %s: status %q (%v), want ok", run1, status, err)
	}
	if overlap := count(t, db, "SELECT COUNT(*) FROM journal a JOIN journal b ON b.run_id = ? WHERE a.run_id = ? AND b.started_at < a.ended_at",
		run2, run1); overlap != 0 {
		t.Errorf("the second run started before the first ended")
	}
	checkOneLoad(t, db, n, run2)
}

// TestLostLeaseStopsTheRun: a migration is frozen (SIGSTOP, as a paused VM or a long
// network cut would) between batches for longer than its lease. A second migration
// waits while the lease lives, takes it over once it expired, marks the frozen run
// failed and loads everything. The frozen run, resumed, finds its lease lost and stops
// before writing another batch: exit 2, one line. No row is refused by the database.
func TestLostLeaseStopsTheRun(t *testing.T) {
	t.Parallel()
	const n = 600
	data := writeDataset(t, n)
	dsn := mariadbtest.NewDatabase(t)
	if res := migration(t, dsn, "-out", t.TempDir(), filepath.Join(data, "intervenants.csv")); res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	db := openDB(t, dsn)
	first := startMigration(t, dsn, data, "DMT_TEST_PAUSE_AFTER_BATCH=300ms", "DMT_TEST_LEASE=2s")
	first.waitCommitted(t, 2)
	// Freeze it outside a transaction, so that the second run waits for no row lock.
	for tries := 0; ; tries++ {
		if err := first.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		if count(t, db, `SELECT COUNT(*) FROM information_schema.innodb_trx t JOIN information_schema.processlist p
			ON p.id = t.trx_mysql_thread_id WHERE p.db = ? AND p.id <> CONNECTION_ID()`, dbName(t, dsn)) == 0 {
			break
		}
		if tries > 100 {
			t.Fatal("the first run is always inside a transaction")
		}
		first.cmd.Process.Signal(syscall.SIGCONT)
		time.Sleep(37 * time.Millisecond)
	}
	frozen := time.Now()
	run1 := runIDOf(t, first)

	second := startMigration(t, dsn, data, "DMT_TEST_LEASE=2s")
	if code := second.wait(t); code != 0 {
		t.Fatalf("second run: exit %d: %s", code, second.stderr.String())
	}
	if took := time.Since(frozen); took < time.Second {
		t.Errorf("the second run ended %s after the first froze: it did not wait for the lease to expire", took)
	}
	if !strings.Contains(second.stderr.String(), "waiting for it to finish") {
		t.Errorf("the second run did not say it waited: %q", second.stderr.String())
	}
	log2, _ := os.ReadFile(filepath.Join(second.out, "log.txt"))
	if !strings.Contains(string(log2), "took over the run lease of run "+run1) {
		t.Errorf("the second run's log does not say it took over run %s's lease:\n%s", run1, log2)
	}
	var status, message string
	if err := db.QueryRow("SELECT status, message FROM journal WHERE run_id = ?", run1).Scan(&status, &message); err != nil || status != "failed" {
		t.Errorf("frozen run %s: %q %q (%v), want failed", run1, status, message, err)
	}
	loaded := count(t, db, "SELECT COUNT(*) FROM journal_batches WHERE run_id = ?", run1)

	first.cmd.Process.Signal(syscall.SIGCONT)
	code := first.wait(t)
	lines := strings.Split(strings.TrimSpace(first.stderr.String()), "\n")
	if code != 2 || len(lines) != 1 || !strings.Contains(lines[0], "lost the run lease") {
		t.Errorf("the resumed run: exit %d, stderr %q; want 2 and one line saying it lost its lease", code, first.stderr.String())
	}
	if after := count(t, db, "SELECT COUNT(*) FROM journal_batches WHERE run_id = ?", run1); after != loaded {
		t.Errorf("the resumed run committed %d more batches after losing its lease", after-loaded)
	}
	if err := db.QueryRow("SELECT status FROM journal WHERE run_id = ?", run1).Scan(&status); err != nil || status != "failed" {
		t.Errorf("resumed run %s: status %q (%v), want failed", run1, status, err)
	}
	checkOneLoad(t, db, n, runIDOf(t, second))
}
