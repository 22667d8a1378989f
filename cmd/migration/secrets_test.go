package main

import (
	"os"
	"path/filepath"
	"testing"

	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/progtest"
)

// TestPasswordNeverRecorded runs migration as an account with a password holding "@",
// ":" and "/", given by -dsn, by -dsn= and by MARIADB_DSN, then searches every column of
// every table and every file written for it: the journal keeps the command line with
// the password masked, nothing else keeps it at all.
func TestPasswordNeverRecorded(t *testing.T) {
	t.Parallel()
	dsn := mariadbtest.NewDatabase(t)
	userDSN, pw := mariadbtest.NewUser(t, dsn)
	data := writeDataset(t, 30)
	// A row to reject, so that rejets/ and the rejections table are written too.
	f, err := os.OpenFile(filepath.Join(data, "clients.csv"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("31,Client 31,,not-an-email,,Lyon,2015-01-01\n")
	f.Close()

	out := t.TempDir()
	var runs []progtest.Result
	for _, c := range []struct {
		env  []string
		args []string
	}{
		{nil, []string{"-dsn", userDSN}},
		{nil, []string{"-dsn=" + userDSN}},
		{[]string{"MARIADB_DSN=" + userDSN}, nil},
		{nil, []string{"-dsn", userDSN, "-dry-run"}},
	} {
		args := append(c.args, "-today", "2026-11-15", "-out", out, "-batch", "10", data)
		res := progtest.Run(t, c.env, nil, "migration", args...)
		// The first run rejects the row (exit 1); later ones may find it still rejected (exit 0).
		if res.Code != 1 && (len(runs) == 0 || res.Code != 0) {
			t.Fatalf("migration %v: exit %d: %s", c.args, res.Code, res.Stderr)
		}
		runs = append(runs, res)
	}
	db := openDB(t, dsn)
	if n := count(t, db, "SELECT COUNT(*) FROM journal WHERE tool = 'migration' AND args LIKE '%xxxxx@tcp(%'"); n != 2 {
		t.Errorf("%d journal rows with the DSN masked, want 2 (-dsn and -dsn=)", n)
	}
	progtest.NoSecret(t, pw, dsn, []string{out}, runs...)
}
