package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dmt/pkg/mariadb/mariadbtest"
)

// TestLogThatCannotBeWritten: log.txt is a link to /dev/full (a full disk): the run
// stops before its first batch with exit 2 and one line naming the log, instead of
// loading rows that no log line accounts for.
func TestLogThatCannotBeWritten(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full here")
	}
	dsn := mariadbtest.NewDatabase(t)
	out := t.TempDir()
	if err := os.Symlink("/dev/full", filepath.Join(out, "log.txt")); err != nil {
		t.Fatal(err)
	}
	res := migration(t, dsn, "-out", out, "testdata/small")
	lines := strings.Split(strings.TrimSpace(res.stderr), "\n")
	if res.code != 2 || len(lines) != 1 || !strings.Contains(lines[0], "log.txt") || !strings.Contains(lines[0], "no space left on device") {
		t.Fatalf("exit %d, stderr %q; want 2 and one line naming log.txt and why", res.code, res.stderr)
	}
	db := openDB(t, dsn)
	if n := count(t, db, "SELECT COUNT(*) FROM clients"); n != 0 {
		t.Errorf("%d clients loaded without a log", n)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM journal WHERE tool = 'migration' AND status = 'failed' AND message LIKE '%log.txt%'"); n != 1 {
		t.Errorf("the journal does not record the run failed for its log")
	}
}
