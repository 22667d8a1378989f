package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"dmt/pkg/mariadb/mariadbtest"
)

// TestResultsStoredPerRun: each validate run stores one row per check in
// validate_results (status, count, sample as JSON, rule), the same verdicts as its
// report, so the final report can tell each night's result and when a check was fixed.
func TestResultsStoredPerRun(t *testing.T) {
	t.Parallel()
	dsn := migrated(t)
	db := openDB(t, dsn)
	res, first := runValidate(t, dsn)
	if res.Code != 0 {
		t.Fatalf("clean database: exit %d: %s", res.Code, res.Stderr)
	}
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"SET SESSION check_constraint_checks = 0",
		"UPDATE projets SET statut = 'fini' WHERE id_projet = (SELECT MIN(id_projet) FROM (SELECT id_projet FROM projets WHERE statut <> 'termine' AND note_satisfaction IS NULL) p)"} {
		if _, err := conn.ExecContext(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	conn.Close()
	res, second := runValidate(t, dsn)
	if res.Code != 1 {
		t.Fatalf("broken row: exit %d, want 1: %s", res.Code, res.Stderr)
	}
	for i, rep := range []jsonReport{first, second} {
		var runID string
		if err := db.QueryRow("SELECT run_id FROM journal WHERE tool = 'validate' ORDER BY started_at, run_id LIMIT 1 OFFSET ?", i).Scan(&runID); err != nil {
			t.Fatal(err)
		}
		rows, err := db.Query("SELECT check_name, status, `count`, sample, rule FROM validate_results WHERE run_id = ?", runID)
		if err != nil {
			t.Fatal(err)
		}
		stored := map[string]check{}
		for rows.Next() {
			var c check
			var sample, rule string
			if err := rows.Scan(&c.Name, &c.Status, &c.Count, &sample, &rule); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(sample), &c.Sample); err != nil || rule == "" {
				t.Errorf("%s: sample %q (%v), rule %q", c.Name, sample, err, rule)
			}
			stored[c.Name] = c
		}
		rows.Close()
		if len(stored) != len(rep.Checks) || len(rep.Checks) < 20 {
			t.Errorf("run %d: %d results stored, report has %d checks", i+1, len(stored), len(rep.Checks))
		}
		for _, c := range rep.Checks {
			s := stored[c.Name]
			if s.Status != c.Status || s.Count != c.Count || strings.Join(s.Sample, "|") != strings.Join(c.Sample, "|") {
				t.Errorf("run %d: %s stored as %+v, report says %+v", i+1, c.Name, s, c)
			}
		}
	}
	var failed int
	if err := db.QueryRow("SELECT COUNT(*) FROM validate_results WHERE status = 'FAIL'").Scan(&failed); err != nil || failed == 0 {
		t.Errorf("%d FAIL results stored (%v), want the second run's", failed, err)
	}
}

// TestResultsNotWritable: an account that may write the journal but not
// validate_results still validates (exit 0, report written) and says once, on stderr,
// that the results were not stored.
func TestResultsNotWritable(t *testing.T) {
	t.Parallel()
	dsn := migrated(t)
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := sql.Open("mysql", mariadbtest.ServerDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	user := "ro_" + strings.ReplaceAll(strings.TrimPrefix(cfg.DBName, "dmt_test_"), "_", "")
	if len(user) > 32 {
		user = user[:32]
	}
	for _, host := range []string{"%", "localhost"} {
		account := "'" + user + "'@'" + host + "'"
		for _, stmt := range []string{"CREATE USER " + account + " IDENTIFIED BY 'pw'",
			"GRANT SELECT ON `" + cfg.DBName + "`.* TO " + account,
			"GRANT INSERT, UPDATE ON `" + cfg.DBName + "`.journal TO " + account} {
			if _, err := admin.Exec(stmt); err != nil {
				t.Fatalf("%s: %v", stmt, err)
			}
		}
		t.Cleanup(func() { admin.Exec("DROP USER IF EXISTS " + account) })
	}
	ro := cfg.Clone()
	ro.User, ro.Passwd = user, "pw"
	res, rep := runValidate(t, ro.FormatDSN())
	if res.Code != 0 || rep.Summary.Failed != 0 || strings.Count(res.Stderr, "results not stored in the database") != 1 ||
		!strings.Contains(res.Stderr, "validate_results") {
		t.Errorf("exit %d, stderr %q; want 0 and one line saying the results were not stored", res.Code, res.Stderr)
	}
	var n int
	if err := openDB(t, dsn).QueryRow("SELECT COUNT(*) FROM validate_results").Scan(&n); err != nil || n != 0 {
		t.Errorf("%d results stored (%v), want none", n, err)
	}
}
