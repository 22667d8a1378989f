package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/progtest"
)

// TestValidationCouldNotRun: three nights of validate on a generated sample: a project
// broken by hand fails (exit 1); the next night runs with an account that may not read
// projets.statut, so the checks of that column could not run (exit 2); the third, the
// project put back, passes. The final report shows the second night as ERROR,
// incomplete, with how many checks could not run (never as a failure), and the checks
// that failed on the first night as fixed by the third, not by the night that could not
// run them.
func TestValidationCouldNotRun(t *testing.T) {
	t.Parallel()
	dsn := mariadbtest.NewDatabase(t)
	out := t.TempDir()
	sample := filepath.Join(out, "sample")
	if res := progtest.Run(t, nil, nil, "generate_data", "-seed", "7", "-today", today, "-clients", "20", "-intervenants", "8",
		"-projets", "30", "-affectations", "80", "-quiet", "-out", sample); res.Code != 0 {
		t.Fatalf("generate_data: exit %d: %s", res.Code, res.Stderr)
	}
	if res := progtest.Run(t, nil, nil, "migration", "-dsn", dsn, "-today", today, "-out", out, sample); res.Code != 0 {
		t.Fatalf("migration: exit %d: %s", res.Code, res.Stderr)
	}
	db := openDB(t, dsn)
	var id int
	var statut string
	if err := db.QueryRow("SELECT id_projet, statut FROM projets WHERE statut <> 'termine' AND note_satisfaction IS NULL ORDER BY id_projet LIMIT 1").Scan(&id, &statut); err != nil {
		t.Fatal(err)
	}
	blind := mariadbtest.NewAccountWithout(t, mariadbtest.ServerDSN(t), dsn, "projets", "statut", "journal", "validate_results")
	nights := []struct {
		dsn  string
		exit int
	}{{dsn, 1}, {blind, 2}, {dsn, 0}}
	var runs []string
	for i, n := range nights {
		switch i {
		case 0:
			setStatut(t, db, id, "fini")
		case 2:
			setStatut(t, db, id, statut)
		}
		if res := progtest.Run(t, nil, nil, "validate", "-dsn", n.dsn, "-today", today, "-out", filepath.Join(out, "validation")); res.Code != n.exit {
			t.Fatalf("validate %d: exit %d, want %d: %s", i+1, res.Code, n.exit, res.Stderr)
		}
		var run string
		if err := db.QueryRow("SELECT run_id FROM journal WHERE tool = 'validate' ORDER BY started_at DESC, run_id DESC LIMIT 1").Scan(&run); err != nil {
			t.Fatal(err)
		}
		runs = append(runs, run)
		time.Sleep(1100 * time.Millisecond) // distinct start times
	}
	report := filepath.Join(out, "rapport")
	if res := progtest.Run(t, nil, nil, "rapport", "-dsn", dsn, "-today", today, "-out", report); res.Code != 0 {
		t.Fatalf("rapport: exit %d: %s", res.Code, res.Stderr)
	}
	md, err := os.ReadFile(filepath.Join(report, "rapport_final.md"))
	if err != nil {
		t.Fatal(err)
	}
	valid := section(t, string(md), "5.")
	var verdicts []string
	for _, r := range tableRows(t, valid, "| date (UTC) |") {
		verdicts = append(verdicts, strings.Fields(r[2])[0])
		if strings.HasPrefix(r[2], "ERROR") && !strings.Contains(r[2], "vérifications n'ont pas pu s'exécuter") {
			t.Errorf("night %v: want how many checks could not run", r)
		}
	}
	if strings.Join(verdicts, " ") != "FAIL ERROR PASS" {
		t.Errorf("validations %v, want FAIL ERROR PASS:\n%s", verdicts, valid)
	}
	failed := tableRows(t, valid, "### Vérifications qui ont échoué")
	if len(failed) == 0 {
		t.Fatalf("no failed check in:\n%s", valid)
	}
	for _, f := range failed {
		if f[4] != "1" || !strings.Contains(f[5], runs[2]) {
			t.Errorf("failed check %v: want one night failed, fixed by %s (not by %s, which could not run it)", f, runs[2], runs[1])
		}
	}
	page, err := os.ReadFile(filepath.Join(report, "rapport_final.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), `data-status="ERROR"`) || !strings.Contains(string(page), "pas pu s") {
		t.Errorf("the HTML page shows no night as could not run")
	}
}
