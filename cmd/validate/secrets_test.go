package main

import (
	"path/filepath"
	"testing"

	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/progtest"
)

// TestPasswordNeverRecorded runs validate as an account with a password holding "@",
// ":" and "/", given by -dsn and by MARIADB_DSN (as the nightly script does), then
// searches every column of every table, every report and the JSON on stdout for it.
func TestPasswordNeverRecorded(t *testing.T) {
	t.Parallel()
	dsn := migrated(t)
	userDSN, pw := mariadbtest.NewUser(t, dsn)
	out := t.TempDir()
	var runs []progtest.Result
	for _, c := range []struct {
		env  []string
		args []string
	}{
		{nil, []string{"-dsn", userDSN, "-json", filepath.Join(out, "v.json")}},
		{[]string{"MARIADB_DSN=" + userDSN}, []string{"-json", "-"}},
	} {
		res := progtest.Run(t, c.env, nil, "validate", append(c.args, "-out", out)...)
		if res.Code != 0 {
			t.Fatalf("validate: exit %d: %s", res.Code, res.Stderr)
		}
		runs = append(runs, res)
	}
	progtest.NoSecret(t, pw, dsn, []string{out}, runs...)
}
