package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/progtest"
)

// writeDataset writes a clean clevity folder of n projets (and as many clients, 2n
// affectations) in canonical form, big enough for many small batches.
func writeDataset(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	var c, i, p, a bytes.Buffer
	c.WriteString("id_client,nom,secteur,email,telephone,ville,date_creation\n")
	i.WriteString("id_intervenant,nom,prenom,email,agence,specialite,date_embauche\n")
	p.WriteString("id_projet,id_client,titre,type_prestation,statut,date_debut,date_fin,budget,note_satisfaction,sites\n")
	a.WriteString("id_affectation,id_projet,id_intervenant,role,site,date_debut,date_fin,jours\n")
	for k := 1; k <= 20; k++ {
		fmt.Fprintf(&i, "%d,Nom%d,Prenom%d,p%d@clevity.fr,Lyon,,2015-01-01\n", k, k, k, k)
	}
	for k := 1; k <= n; k++ {
		fmt.Fprintf(&c, "%d,Client %d,,client%d@example.fr,,Lyon,2015-01-01\n", k, k, k)
		fmt.Fprintf(&p, "%d,%d,Projet %d,audit,termine,2020-01-01,2020-06-30,%d.50,4,Lyon|Paris\n", k, k, k, 1000+k)
		fmt.Fprintf(&a, "%d,%d,%d,auditeur,Lyon,2020-01-02,2020-01-31,2.5\n", 2*k-1, k, 1+k%20)
		fmt.Fprintf(&a, "%d,%d,%d,chef_projet,Paris,2020-02-01,,\n", 2*k, k, 1+(k+1)%20)
	}
	for name, b := range map[string]*bytes.Buffer{"clients.csv": &c, "intervenants.csv": &i, "projets.csv": &p, "affectations.csv": &a} {
		if err := os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestKillAndRerun kills the binary with SIGKILL between batches at several points of a
// load, reruns it, and expects the content of one uninterrupted run.
func TestKillAndRerun(t *testing.T) {
	t.Parallel()
	data := writeDataset(t, 3000)
	refDSN := mariadbtest.NewDatabase(t)
	if res := migration(t, refDSN, "-out", t.TempDir(), "-batch", "500", data); res.code != 0 {
		t.Fatalf("reference run exit %d: %s", res.code, res.stderr)
	}
	want := content(t, openDB(t, refDSN))

	// Batches: clients 6, intervenants 1, projets 6, affectations 12: kill inside each.
	for _, killAfter := range []int{2, 8, 14, 20} {
		t.Run(fmt.Sprintf("after %d batches", killAfter), func(t *testing.T) {
			dsn := mariadbtest.NewDatabase(t)
			out := t.TempDir()
			cmd := exec.Command(progtest.Path("migration"), "-dsn", dsn, "-today", "2026-11-15", "-out", out, "-batch", "500", data)
			// A short lease: the rerun waits for the killed run's lease to expire.
			cmd.Env = append(os.Environ(), "DMT_TEST_PAUSE_AFTER_BATCH=150ms", "DMT_TEST_LEASE=2s")
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(60 * time.Second)
			for {
				logText, _ := os.ReadFile(filepath.Join(out, "log.txt"))
				if strings.Count(string(logText), "action=committed") >= killAfter {
					break
				}
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatalf("run never reached %d batches", killAfter)
				}
				time.Sleep(20 * time.Millisecond)
			}
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			cmd.Wait()
			db := openDB(t, dsn)
			var killedRun string
			if err := db.QueryRow("SELECT run_id FROM journal WHERE status = 'running'").Scan(&killedRun); err != nil {
				t.Fatalf("killed run not in journal as running: %v", err)
			}
			res := migration(t, dsn, "-out", t.TempDir(), "-batch", "500", data)
			if res.code != 0 {
				t.Fatalf("rerun exit %d: %s", res.code, res.stderr)
			}
			if got := content(t, db); got != want {
				t.Errorf("content after kill and rerun differs from an uninterrupted run (%d vs %d bytes)", len(got), len(want))
			}
			var status string
			if err := db.QueryRow("SELECT status FROM journal WHERE run_id = ?", killedRun).Scan(&status); err != nil || status != "failed" {
				t.Errorf("killed run status %q (%v), want failed", status, err)
			}
			// Whole batches only: every file's committed rows match its journal progress.
			if n := count(t, db, "SELECT COUNT(*) FROM affectations WHERE run_id = ?", killedRun); n%500 != 0 {
				t.Errorf("killed run left %d affectations, not whole batches of 500", n)
			}
		})
	}
}

// TestRowOnlyTheDatabaseRefuses: a constraint the Go rules lack refuses one row; only
// that row is rejected, the rest of its batch is loaded.
func TestRowOnlyTheDatabaseRefuses(t *testing.T) {
	t.Parallel()
	dsn := mariadbtest.NewDatabase(t)
	data := writeDataset(t, 50)
	if res := migration(t, dsn, "-out", t.TempDir(), filepath.Join(data, "intervenants.csv")); res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	db := openDB(t, dsn)
	if _, err := db.Exec("ALTER TABLE clients ADD CONSTRAINT ck_test_nom CHECK (nom <> 'Client 17')"); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	res := migration(t, dsn, "-out", out, filepath.Join(data, "clients.csv"))
	if res.code != 1 {
		t.Fatalf("exit %d, want 1: %s", res.code, res.stderr)
	}
	rep := readReport(t, out)
	if f := rep.Files[0]; f.Inserted != 49 || f.Rejected != 1 || f.ByCode["DB_REFUSED"] != 1 {
		t.Errorf("report %+v, want 49 inserted, 1 DB_REFUSED", f)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM clients"); n != 49 {
		t.Errorf("clients = %d, want 49", n)
	}
	rows := readCSV(t, filepath.Join(out, "rejets", "clients.csv"))
	if len(rows) != 2 || rows[1][0] != "17" || !strings.Contains(rows[1][slices.Index(rows[0], "_errors")], "ck_test_nom") {
		t.Errorf("rejets = %q, want client 17 refused by ck_test_nom", rows)
	}
}

// TestConcurrentRuns: two migrations at once take turns; the content is one run's.
func TestConcurrentRuns(t *testing.T) {
	t.Parallel()
	data := writeDataset(t, 1500)
	dsn := mariadbtest.NewDatabase(t)
	// Create the schema first so both runs contend for the lock, not for CREATE TABLE.
	if res := migration(t, dsn, "-out", t.TempDir(), filepath.Join(data, "intervenants.csv")); res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	var wg sync.WaitGroup
	results := make([]result, 2)
	for k := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[k] = runProg(t, []string{"DMT_TEST_PAUSE_AFTER_BATCH=50ms"}, "migration", "-dsn", dsn, "-today", "2026-11-15", "-out", t.TempDir(), "-batch", "500", data)
		}()
	}
	wg.Wait()
	waited := 0
	for _, r := range results {
		if r.code != 0 {
			t.Errorf("exit %d: %s", r.code, r.stderr)
		}
		if strings.Contains(r.stderr, "waiting") {
			waited++
		}
	}
	if waited != 1 {
		t.Errorf("%d runs said they were waiting, want 1", waited)
	}
	db := openDB(t, dsn)
	if n := count(t, db, "SELECT COUNT(*) FROM affectations"); n != 3000 {
		t.Errorf("affectations = %d, want 3000", n)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM projet_sites"); n != 3000 {
		t.Errorf("projet_sites = %d, want 3000", n)
	}
}

// TestInterruptAndRerun interrupts the binary with SIGINT (Ctrl-C) between batches at
// several points, then reruns it to the end. Each interrupted run says so on one line,
// exits 2, and its report and journal row count exactly what the tables gained (only
// committed batches); after the reruns, the journal's inserted rows over all runs are
// the rows in the tables.
func TestInterruptAndRerun(t *testing.T) {
	t.Parallel()
	data := writeDataset(t, 3000)
	dsn := mariadbtest.NewDatabase(t)
	db := openDB(t, dsn)
	tables := []string{"clients", "intervenants", "projets", "affectations"}
	rowsNow := func() map[string]int {
		n := map[string]int{}
		for _, tb := range tables {
			if count(t, db, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?", tb) > 0 {
				n[tb] = count(t, db, "SELECT COUNT(*) FROM "+tb)
			}
		}
		return n
	}
	// Batches of 500: clients 6, intervenants 1, projets 6, affectations 12. Each run
	// is stopped after a few batches of its own, so the runs end in different files.
	for i, after := range []int{3, 5, 6} {
		before := rowsNow()
		out := t.TempDir()
		cmd := exec.Command(progtest.Path("migration"), "-dsn", dsn, "-today", "2026-11-15", "-out", out, "-batch", "500", data)
		cmd.Env = append(os.Environ(), "DMT_TEST_PAUSE_AFTER_BATCH=150ms")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(60 * time.Second)
		for {
			logText, _ := os.ReadFile(filepath.Join(out, "log.txt"))
			if strings.Count(string(logText), "action=committed") >= after {
				break
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				t.Fatalf("run %d never reached %d batches", i, after)
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		timer := time.AfterFunc(60*time.Second, func() { cmd.Process.Kill() })
		cmd.Wait()
		timer.Stop()
		if code := cmd.ProcessState.ExitCode(); code != 2 {
			t.Fatalf("run %d: exit %d after SIGINT, want 2; stderr: %s", i, code, stderr.String())
		}
		rep := readReport(t, out)
		// The first signal is acknowledged at once ("interrupted; finishing the current
		// batch"), then the run ends with one line that says what was kept.
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		if len(lines) == 2 && strings.HasPrefix(lines[0], "migration: interrupted; finishing the current batch") {
			lines = lines[1:]
		}
		wantLine := fmt.Sprintf("migration: interrupted after %d rows committed (run %s: ", rep.Totals.Read, rep.RunID)
		if len(lines) != 1 || !strings.HasPrefix(lines[0], wantLine) || !strings.HasSuffix(lines[0], "; run the same command again to finish") {
			t.Errorf("run %d: stderr %q, want the acknowledgement then %q...; run the same command again to finish", i, stderr.String(), wantLine)
		}
		if rep.Status != "interrupted" {
			t.Errorf("run %d: report status %q, want interrupted", i, rep.Status)
		}
		text, err := os.ReadFile(filepath.Join(out, "rapport_reprise.txt"))
		if err != nil || !strings.Contains(string(text), "status:     interrupted") || !strings.Contains(string(text), "Run the same command again") {
			t.Errorf("run %d: rapport_reprise.txt does not say the run was interrupted:\n%s", i, text)
		}
		after := rowsNow()
		gained := 0
		for _, f := range rep.Files {
			if g := after[f.Entity] - before[f.Entity]; f.Inserted != g {
				t.Errorf("run %d: %s: report says %d inserted, table gained %d", i, f.File, f.Inserted, g)
			}
			gained += after[f.Entity] - before[f.Entity]
		}
		var status, message string
		var read, inserted int
		if err := db.QueryRow("SELECT status, message, `read`, inserted FROM journal WHERE run_id = ?", rep.RunID).Scan(&status, &message, &read, &inserted); err != nil {
			t.Fatal(err)
		}
		if status != "failed" || !strings.HasPrefix(message, "interrupted after ") || inserted != gained || read != rep.Totals.Read {
			t.Errorf("run %d: journal %s %q read %d inserted %d; want failed, interrupted, read %d inserted %d (what the tables gained)",
				i, status, message, read, inserted, rep.Totals.Read, gained)
		}
		if files := count(t, db, "SELECT COALESCE(SUM(inserted), 0) FROM journal_files WHERE run_id = ?", rep.RunID); files != inserted {
			t.Errorf("run %d: journal_files say %d inserted, journal run row %d", i, files, inserted)
		}
	}
	res := migration(t, dsn, "-out", t.TempDir(), "-batch", "500", data)
	if res.code != 0 {
		t.Fatalf("final run exit %d: %s", res.code, res.stderr)
	}
	final := rowsNow()
	want := map[string]int{"clients": 3000, "intervenants": 20, "projets": 3000, "affectations": 6000}
	total := 0
	for _, tb := range tables {
		if final[tb] != want[tb] {
			t.Errorf("%s = %d rows, want %d", tb, final[tb], want[tb])
		}
		total += final[tb]
	}
	if sum := count(t, db, "SELECT SUM(inserted) FROM journal"); sum != total {
		t.Errorf("SUM(inserted) over the journal = %d, tables hold %d rows", sum, total)
	}
	if sum := count(t, db, "SELECT SUM(`read`) - SUM(inserted) - SUM(rejected) - SUM(ignored) FROM journal"); sum != 0 {
		t.Errorf("journal: read - inserted - rejected - ignored = %d over all runs, want 0", sum)
	}
}
