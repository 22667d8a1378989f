package main

import (
	"testing"

	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/progtest"
)

// TestPasswordNeverRecorded runs reprise as an account with a password holding "@",
// ":" and "/", given by -dsn and by MARIADB_DSN, then searches every column of every
// table and every file written (log, quarantine, reports) for it.
func TestPasswordNeverRecorded(t *testing.T) {
	t.Parallel()
	dsn := loaded(t, repoFile(t, "data_1"))
	userDSN, pw := mariadbtest.NewUser(t, dsn)
	out := t.TempDir()
	corrupt := repoFile(t, "data_1", "projets_corrompus.csv")
	var runs []progtest.Result
	for _, env := range [][]string{nil, {"MARIADB_DSN=" + userDSN}} {
		args := []string{"-today", today, "-out", out, corrupt}
		if env == nil {
			args = append([]string{"-dsn", userDSN}, args...)
		}
		res := progtest.Run(t, env, nil, "reprise", args...)
		if res.Code != 1 {
			t.Fatalf("reprise: exit %d, want 1 (rows isolated): %s", res.Code, res.Stderr)
		}
		runs = append(runs, res)
	}
	progtest.NoSecret(t, pw, dsn, []string{out}, runs...)
}
