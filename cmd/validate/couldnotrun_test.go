package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dmt/pkg/domain"
	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/progtest"
)

// TestCheckCouldNotRun: a check whose query the server refuses (a column dropped behind
// the toolkit's back, or a validation account not allowed to read one) could not run. It
// is ERROR, with the server's reason, in the text report, the JSON and validate_results,
// not FAIL: the nightly line says that checks could not run and that the verdict is
// incomplete, never "checks failed" for them, and validate exits 2 ("cannot check"),
// even when other checks did fail (2 wins over 1: the verdict is incomplete); those are
// still named, on the line and in the report.
func TestCheckCouldNotRun(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		// prepare breaks the database dsn names and returns the DSN validate runs with.
		prepare func(t *testing.T, dsn string) string
		column  string // table.column, the column the checks cannot read
		reason  string // in the error of each check that could not run
		failed  string // a check that fails all the same ("" when none)
	}{
		{name: "column dropped", column: "intervenants.email", reason: "Unknown column", failed: "affectations.jours OUT_OF_RANGE",
			prepare: func(t *testing.T, dsn string) string {
				db := openDB(t, dsn)
				db.SetMaxOpenConns(1) // the session setting holds for every statement
				for _, stmt := range []string{"SET SESSION check_constraint_checks = 0",
					"UPDATE affectations SET jours = -1 WHERE id_affectation = (SELECT MIN(id_affectation) FROM (SELECT id_affectation FROM affectations) a)"} {
					if _, err := db.Exec(stmt); err != nil {
						t.Fatalf("%s: %v", stmt, err)
					}
				}
				reseal(t, db, domain.Clevity()) // the range check alone fails, not the fingerprint
				if _, err := db.Exec("ALTER TABLE intervenants DROP COLUMN email"); err != nil {
					t.Fatal(err)
				}
				return dsn
			}},
		{name: "column not granted", column: "clients.email", reason: "lacks the SELECT privilege on column email",
			prepare: func(t *testing.T, dsn string) string {
				return mariadbtest.NewAccountWithout(t, mariadbtest.ServerDSN(t), dsn, "clients", "email", "journal", "validate_results")
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dsn := migrated(t)
			run := c.prepare(t, dsn)
			out := t.TempDir()
			res := progtest.Run(t, nil, nil, "validate", "-dsn", run, "-out", out, "-json", filepath.Join(out, "v.json"))

			line := strings.TrimSpace(res.Stderr)
			if res.Code != 2 || strings.Contains(line, "\n") || !strings.Contains(line, "checks could not run, the verdict is incomplete") ||
				!strings.Contains(line, c.reason) || !strings.Contains(line, "report "+out) {
				t.Errorf("exit %d, stderr %q; want exit 2 and one line saying checks could not run (%s), naming the report", res.Code, res.Stderr, c.reason)
			}
			if c.failed != "" && !strings.Contains(line, "failed all the same ("+c.failed) {
				t.Errorf("stderr %q does not name the check that failed all the same, %s", line, c.failed)
			}
			if c.failed == "" && strings.Contains(line, "failed") {
				t.Errorf("stderr %q speaks of failed checks; none failed", line)
			}

			var rep struct {
				Status string `json:"status"`
				Checks []struct {
					Name, Status, Error string
					Count               int
				} `json:"checks"`
				Summary struct{ Checks, Passed, Failed, Warnings, Errors int } `json:"summary"`
			}
			data, err := os.ReadFile(filepath.Join(out, "v.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(data, &rep); err != nil {
				t.Fatal(err)
			}
			errored := 0
			for _, ch := range rep.Checks {
				switch {
				case ch.Status == "ERROR":
					errored++
					if !strings.Contains(ch.Error, c.reason) || ch.Count != 0 {
						t.Errorf("%s: ERROR with count %d, error %q; want count 0 and the server's reason (%s)", ch.Name, ch.Count, ch.Error, c.reason)
					}
				case ch.Error != "":
					t.Errorf("%s: %s with error %q", ch.Name, ch.Status, ch.Error)
				case ch.Status == "FAIL" && ch.Name != c.failed:
					t.Errorf("%s: FAIL; only %q may fail", ch.Name, c.failed)
				case strings.HasPrefix(ch.Name, c.column+" ") && ch.Status != "ERROR":
					t.Errorf("%s: %s; the check cannot read %s", ch.Name, ch.Status, c.column)
				}
			}
			wantFailed := 0
			if c.failed != "" {
				wantFailed = 1
			}
			if errored == 0 || rep.Summary.Errors != errored || rep.Summary.Failed != wantFailed || rep.Status != "ERROR" ||
				rep.Summary.Passed+rep.Summary.Failed+rep.Summary.Warnings+rep.Summary.Errors != rep.Summary.Checks {
				t.Errorf("JSON status %s, summary %+v, %d checks ERROR; want ERROR, every one counted, %d failed", rep.Status, rep.Summary, errored, wantFailed)
			}

			reports, _ := filepath.Glob(filepath.Join(out, "rapport_validation_*.txt"))
			if len(reports) != 1 {
				t.Fatalf("reports %v, want one", reports)
			}
			text, _ := os.ReadFile(reports[0])
			for _, want := range []string{"  ERROR ", "could not run: ", ": ERROR\n", "The verdict is incomplete: "} {
				if !strings.Contains(string(text), want) {
					t.Errorf("text report lacks %q:\n%s", want, text)
				}
			}
			if strings.Contains(string(text), "  FAIL  ") != (c.failed != "") || c.failed != "" && !strings.Contains(string(text), "Failed all the same: "+c.failed) {
				t.Errorf("text report: a FAIL line or the failed checks' names where they should not be, or missing (want %q):\n%s", c.failed, text)
			}

			db := openDB(t, dsn)
			var status, msg string
			if err := db.QueryRow("SELECT status, message FROM journal WHERE tool = 'validate'").Scan(&status, &msg); err != nil {
				t.Fatal(err)
			}
			var stored int
			if err := db.QueryRow("SELECT COUNT(*) FROM validate_results WHERE status = 'ERROR' AND error LIKE ?", "%"+c.reason+"%").Scan(&stored); err != nil {
				t.Fatal(err)
			}
			if status != "failed" || !strings.Contains(msg, "could not run") || stored != errored {
				t.Errorf("journal %s %q, %d ERROR results stored; want failed, the count that could not run, %d stored", status, msg, stored, errored)
			}
		})
	}
}
