package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dmt/pkg/mariadb/mariadbtest"
)

// TestDriverLinesGoToTheLog: the idle connections of a running migration are killed
// (a wait_timeout, a proxy): the driver finds them broken when it reuses them and says
// so. That line goes to log.txt, beside the run's own lines, and not to stderr, where
// only the run's one summary may appear.
func TestDriverLinesGoToTheLog(t *testing.T) {
	t.Parallel()
	data := writeDataset(t, 300)
	dsn := mariadbtest.NewDatabase(t)
	db := openDB(t, dsn)
	run := startMigration(t, dsn, data, "DMT_TEST_PAUSE_AFTER_BATCH=300ms")
	run.waitCommitted(t, 2)
	rows, err := db.Query("SELECT id FROM information_schema.processlist WHERE db = ? AND command = 'Sleep' AND id <> CONNECTION_ID()", dbName(t, dsn))
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	if len(ids) == 0 {
		t.Fatal("no idle connection of the run to kill")
	}
	for _, id := range ids {
		db.Exec("KILL CONNECTION ?", id) // it may have ended meanwhile
	}
	if code := run.wait(t); code != 0 {
		t.Fatalf("exit %d: %s", code, run.stderr.String())
	}
	if strings.Contains(run.stderr.String(), "[mysql]") || strings.Count(strings.TrimSpace(run.stderr.String()), "\n") != 0 {
		t.Errorf("stderr %q, want the run's one summary line only", run.stderr.String())
	}
	logText, err := os.ReadFile(filepath.Join(run.out, "log.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(logText), "\n") {
		if strings.Contains(line, "level=WARN action=driver run=") {
			t.Logf("log.txt: %s", line)
			return
		}
	}
	t.Errorf("log.txt has no line of the driver about the killed connections:\n%s", logText)
}
