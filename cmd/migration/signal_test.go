package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/progtest"
)

// startPaused starts a migration of data that pauses for pause after each committed
// batch of 500 rows, and waits until it has committed batches batches. It returns the
// running command and its captured stderr (read it only after Wait).
func startPaused(t *testing.T, dsn, data, out string, pause time.Duration, batches int) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(progtest.Path("migration"), "-dsn", dsn, "-today", "2026-11-15", "-out", out, "-batch", "500", data)
	cmd.Env = append(os.Environ(), "DMT_TEST_PAUSE_AFTER_BATCH="+pause.String())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		logText, _ := os.ReadFile(filepath.Join(out, "log.txt"))
		if strings.Count(string(logText), "action=committed") >= batches {
			return cmd, &stderr
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("run never reached %d batches: %s", batches, stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitExit waits for cmd at most limit and returns its exit code; past the limit it
// kills it and fails the test.
func waitExit(t *testing.T, cmd *exec.Cmd, limit time.Duration, what string) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(limit):
		cmd.Process.Kill()
		<-done
		t.Fatalf("%s: still running %s later", what, limit)
		return -1
	}
}

// TestFirstSignalFinishesTheBatch: Ctrl-C during a load says so at once, lets the batch
// in flight finish, and ends the run with exit 2, whole batches in the database and
// the run recorded as failed.
func TestFirstSignalFinishesTheBatch(t *testing.T) {
	t.Parallel()
	data := writeDataset(t, 3000)
	dsn := mariadbtest.NewDatabase(t)
	cmd, stderr := startPaused(t, dsn, data, t.TempDir(), 300*time.Millisecond, 2)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	code := waitExit(t, cmd, 20*time.Second, "after one SIGINT")
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if code != 2 || !strings.Contains(stderr.String(), "migration: interrupted; finishing the current batch (press Ctrl-C again to stop at once)\n") ||
		!strings.Contains(lines[len(lines)-1], "interrupted") {
		t.Errorf("exit %d, stderr %q; want exit 2, the line saying the batch is being finished, and a last line saying interrupted", code, stderr)
	}
	db := openDB(t, dsn)
	var status string
	if err := db.QueryRow("SELECT status FROM journal WHERE tool = 'migration'").Scan(&status); err != nil || status != "failed" {
		t.Errorf("journal status %q (%v), want failed", status, err)
	}
	n := count(t, db, "SELECT COUNT(*) FROM clients")
	if n == 0 || n%500 != 0 || n == 3000 && count(t, db, "SELECT COUNT(*) FROM affectations") == 6000 {
		t.Errorf("%d clients after an interrupted run: want whole batches of 500, and not the whole load", n)
	}
}

// TestSecondSignalStopsAtOnce: a run paused for a minute after a batch, given Ctrl-C
// twice, ends at once with exit 130; what it committed is whole batches.
func TestSecondSignalStopsAtOnce(t *testing.T) {
	t.Parallel()
	data := writeDataset(t, 3000)
	dsn := mariadbtest.NewDatabase(t)
	cmd, stderr := startPaused(t, dsn, data, t.TempDir(), time.Minute, 1)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	code := waitExit(t, cmd, 5*time.Second, "after two SIGINTs")
	if code != 130 || !strings.Contains(stderr.String(), "migration: stopped at once") {
		t.Errorf("exit %d after %s, stderr %q; want 130 and a line saying it stopped at once", code, time.Since(start), stderr)
	}
	if n := count(t, openDB(t, dsn), "SELECT COUNT(*) FROM clients"); n%500 != 0 {
		t.Errorf("%d clients: not whole batches of 500", n)
	}
}
