package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/go-sql-driver/mysql"

	"dmt/pkg/domain"
	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/progtest"
)

func TestMain(m *testing.M) { progtest.Main(m, "validate", "migration", "generate_data") }

// TestManual: -h prints the manual on stdout with every flag (see progtest.CheckManual).
func TestManual(t *testing.T) {
	t.Parallel()
	progtest.CheckManual(t, "validate", run)
}

// sample writes a small clean clevity folder once per test binary; the tests that ask
// for it run in parallel.
var (
	sampleMu  sync.Mutex
	sampleDir string
)

func sample(t *testing.T) string {
	t.Helper()
	sampleMu.Lock()
	defer sampleMu.Unlock()
	if sampleDir == "" {
		dir, err := os.MkdirTemp("", "validate-sample-")
		if err != nil {
			t.Fatal(err)
		}
		res := progtest.Run(t, nil, nil, "generate_data", "-seed", "5", "-today", "2026-11-15", "-clients", "30",
			"-intervenants", "12", "-projets", "60", "-affectations", "200", "-out", dir)
		if res.Code != 0 {
			t.Fatalf("generate_data: %s", res.Stderr)
		}
		sampleDir = dir
	}
	return sampleDir
}

// migrated returns the DSN of a fresh database holding the clean sample.
func migrated(t *testing.T) string {
	t.Helper()
	dsn := mariadbtest.NewDatabase(t)
	if res := progtest.Run(t, nil, nil, "migration", "-dsn", dsn, "-out", t.TempDir(), sample(t)); res.Code != 0 {
		t.Fatalf("migration: exit %d: %s", res.Code, res.Stderr)
	}
	return dsn
}

type check struct {
	Name   string   `json:"name"`
	Status string   `json:"status"`
	Count  int      `json:"count"`
	Sample []string `json:"sample"`
}

type jsonReport struct {
	Checks  []check `json:"checks"`
	Summary struct {
		Checks, Passed, Failed, Warnings int
	} `json:"summary"`
}

func runValidate(t *testing.T, dsn string, args ...string) (progtest.Result, jsonReport) {
	t.Helper()
	out := t.TempDir()
	res := progtest.Run(t, nil, nil, "validate", append([]string{"-dsn", dsn, "-out", out, "-json", filepath.Join(out, "v.json")}, args...)...)
	var rep jsonReport
	if data, err := os.ReadFile(filepath.Join(out, "v.json")); err == nil {
		if err := json.Unmarshal(data, &rep); err != nil {
			t.Fatal(err)
		}
	}
	reports, _ := filepath.Glob(filepath.Join(out, "rapport_validation_*.txt"))
	if res.Code < 2 && len(reports) != 1 {
		t.Errorf("want one rapport_validation_<timestamp>.txt, got %v", reports)
	}
	return res, rep
}

func TestFreshMigrationPasses(t *testing.T) {
	t.Parallel()
	dsn := migrated(t)
	res, rep := runValidate(t, dsn, "-source", sample(t))
	if res.Code != 0 || rep.Summary.Failed != 0 || rep.Summary.Checks < 60 {
		t.Fatalf("exit %d, summary %+v: %s", res.Code, rep.Summary, res.Stderr)
	}
	for _, c := range rep.Checks {
		if c.Status != "PASS" {
			t.Errorf("%s: %s %v", c.Name, c.Status, c.Sample)
		}
	}
}

// breakage damages a clean database with plain SQL, constraints off, and names the
// checks that must fail (or warn) and a key each must show.
type breakage struct {
	name   string
	sql    []string
	fails  map[string]string // check name -> a key its sample must hold
	status string            // FAIL unless WARN
}

// reseal recomputes the fingerprint of every row, as a forger who knows the recipe
// would: so that each breakage of TestEachCheckFindsItsBreakage meets only the check
// meant for it. TestTamperingFound shows the fingerprints catch the same changes unsealed.
func reseal(t *testing.T, db *sql.DB, d *domain.Domain) {
	t.Helper()
	for _, e := range d.Entities {
		from := "`" + e.Name + "` c"
		lists := map[string]string{}
		for i, l := range e.Lists {
			alias := fmt.Sprintf("l%d", i)
			from += " LEFT JOIN " + e.ListItemsSQL(l) + " " + alias + " ON " + alias + ".`" + e.KeyColumn() + "` = c.`" + e.KeyColumn() + "`"
			lists[l.Column] = alias + ".items"
		}
		sha := e.FingerprintSQL(func(col string) string {
			if x, ok := lists[col]; ok {
				return x
			}
			return "c.`" + col + "`"
		})
		if _, err := db.Exec("UPDATE " + from + " SET c.row_sha = " + sha); err != nil {
			t.Fatalf("reseal %s: %v", e.Name, err)
		}
	}
}

func TestEachCheckFindsItsBreakage(t *testing.T) {
	t.Parallel()
	cases := []breakage{
		{name: "row deleted behind the journal's back", sql: []string{
			"DELETE FROM clients WHERE id_client = (SELECT MIN(id_client) FROM clients WHERE id_client NOT IN (SELECT id_client FROM projets))"},
			fails: map[string]string{"clients rows vs journal": "table"}},
		{name: "duplicate e-mail", sql: []string{"ALTER TABLE clients DROP INDEX uq_clients_email",
			"UPDATE clients SET email = (SELECT email FROM (SELECT email FROM clients WHERE id_client = 1) x) WHERE id_client = 2"},
			fails: map[string]string{"clients.email unique": "(id_client 1,2)"}},
		{name: "near duplicate client", status: "WARN", sql: []string{
			"UPDATE clients c JOIN (SELECT nom, ville FROM clients WHERE id_client = 1) x SET c.nom = x.nom, c.ville = UPPER(x.ville) WHERE c.id_client = 3"},
			fails: map[string]string{"clients.nom+ville unique": "(id_client 1,3)"}},
		{name: "duplicate primary key", sql: []string{"ALTER TABLE intervenants DROP PRIMARY KEY",
			"INSERT INTO intervenants SELECT id_intervenant, nom, prenom, CONCAT('x', email), agence, specialite, date_embauche, run_id, source_file, source_line, origin_file, origin_line, row_sha FROM intervenants WHERE id_intervenant = 4"},
			fails: map[string]string{"intervenants.id_intervenant unique": "4 (2 rows)", "intervenants rows vs journal": "table",
				"intervenants source lines claimed twice": "(4, 4)"}},
		{name: "affectation key taken twice", sql: []string{"ALTER TABLE affectations DROP INDEX uq_affectations_key",
			"UPDATE affectations b JOIN affectations a ON a.id_affectation = 1 SET b.id_projet = a.id_projet, b.id_intervenant = a.id_intervenant, b.role = a.role, b.date_debut = a.date_debut, b.date_fin = a.date_fin, b.site = a.site WHERE b.id_affectation = 2"},
			fails: map[string]string{"affectations.id_projet+id_intervenant+role+date_debut unique": "(id_affectation 1,2)"}},
		{name: "required value missing", sql: []string{"ALTER TABLE clients MODIFY nom VARCHAR(150) NULL", "UPDATE clients SET nom = NULL WHERE id_client = 5"},
			fails: map[string]string{"clients.nom MISSING_REQUIRED": "5"}},
		{name: "text too long", sql: []string{"ALTER TABLE clients MODIFY nom VARCHAR(300) NOT NULL", "UPDATE clients SET nom = REPEAT('x', 151) WHERE id_client = 6"},
			fails: map[string]string{"clients.nom TOO_LONG": "6"}},
		{name: "e-mail not lower-case", sql: []string{"UPDATE intervenants SET email = UPPER(email) WHERE id_intervenant = 2"},
			fails: map[string]string{"intervenants.email BAD_EMAIL": "2"}},
		{name: "date in the future", sql: []string{"UPDATE clients SET date_creation = CURRENT_DATE + INTERVAL 1 YEAR WHERE id_client = 7"},
			fails: map[string]string{"clients.date_creation DATE_IN_FUTURE": "7"}},
		{name: "bad statut", sql: []string{"UPDATE projets SET statut = 'fini' WHERE id_projet = (SELECT MIN(id_projet) FROM (SELECT id_projet FROM projets WHERE statut <> 'termine' AND note_satisfaction IS NULL) x)"},
			fails: map[string]string{"projets.statut BAD_ENUM": ""}},
		{name: "negative jours", sql: []string{"UPDATE affectations SET jours = -1 WHERE id_affectation = 3"},
			fails: map[string]string{"affectations.jours OUT_OF_RANGE": "3"}},
		{name: "end before start", sql: []string{"UPDATE projets SET date_fin = date_debut - INTERVAL 1 DAY WHERE id_projet = (SELECT MIN(id_projet) FROM (SELECT id_projet FROM projets WHERE id_projet NOT IN (SELECT id_projet FROM affectations)) x)"},
			fails: map[string]string{"projets date_order": ""}},
		{name: "finished without end", sql: []string{"UPDATE projets SET date_fin = NULL WHERE id_projet = (SELECT MIN(id_projet) FROM (SELECT id_projet FROM projets WHERE statut = 'termine') x)"},
			fails: map[string]string{"projets date_fin_required_when_termine": ""}},
		{name: "score on a running project", sql: []string{"UPDATE projets SET note_satisfaction = 3 WHERE id_projet = (SELECT MIN(id_projet) FROM (SELECT id_projet FROM projets WHERE statut <> 'termine') x)"},
			fails: map[string]string{"projets note_satisfaction_only_when_termine": ""}},
		{name: "orphan client", sql: []string{"UPDATE projets SET id_client = 88888 WHERE id_projet = 1"},
			fails: map[string]string{"projets.id_client -> clients": "88888"}},
		{name: "orphan intervenant", sql: []string{"UPDATE affectations SET id_intervenant = 99999 WHERE id_affectation IN (4, 5)"},
			fails: map[string]string{"affectations.id_intervenant -> intervenants": "99999"}},
		{name: "orphan site row", sql: []string{"INSERT INTO projet_sites SELECT 77777, site, run_id, source_file, source_line, origin_file, origin_line FROM projet_sites LIMIT 1"},
			fails: map[string]string{"projet_sites.id_projet -> projets": "77777", "projet_sites source lines claimed twice": "(1, 77777)"}},
		{name: "affectation before its project", sql: []string{"UPDATE affectations a JOIN projets p ON p.id_projet = a.id_projet SET a.date_debut = p.date_debut - INTERVAL 1 DAY WHERE a.id_affectation = 6"},
			fails: map[string]string{"affectations within_parent_dates": "6"}},
		{name: "site not among the project's", sql: []string{"UPDATE affectations SET site = 'Nulle-Part' WHERE id_affectation = (SELECT MIN(id_affectation) FROM (SELECT a.id_affectation FROM affectations a JOIN projet_sites s ON s.id_projet = a.id_projet) x)"},
			fails: map[string]string{"affectations site_in_parent_sites": ""}},
		{name: "lineage lost", sql: []string{"UPDATE clients SET source_line = 0 WHERE id_client = 8"},
			fails: map[string]string{"clients lineage": "8"}},
		{name: "run unknown to the journal", sql: []string{"UPDATE intervenants SET run_id = 'ghost' WHERE id_intervenant = 3"},
			fails: map[string]string{"intervenants runs in journal": "ghost", "intervenants rows vs journal": "ghost"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dsn := migrated(t)
			db, err := sql.Open("mysql", dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.SetMaxOpenConns(1) // the session settings below hold for every statement
			for _, stmt := range append([]string{"SET SESSION foreign_key_checks = 0", "SET SESSION check_constraint_checks = 0"}, c.sql...) {
				r, err := db.Exec(stmt)
				if err != nil {
					t.Fatalf("%s: %v", stmt, err)
				}
				if n, _ := r.RowsAffected(); n == 0 && !strings.HasPrefix(stmt, "SET") && !strings.HasPrefix(stmt, "ALTER") {
					t.Fatalf("%s changed nothing", stmt)
				}
			}
			reseal(t, db, domain.Clevity())
			res, rep := runValidate(t, dsn)
			want := "FAIL"
			wantCode := 1
			if c.status == "WARN" {
				want, wantCode = "WARN", 0
			}
			if res.Code != wantCode {
				t.Errorf("exit %d, want %d: %s", res.Code, wantCode, res.Stderr)
			}
			for _, ch := range rep.Checks {
				key, targeted := c.fails[ch.Name]
				switch {
				case targeted && ch.Status != want:
					t.Errorf("%s: %s, want %s", ch.Name, ch.Status, want)
				case targeted && !slices.ContainsFunc(ch.Sample, func(s string) bool { return strings.Contains(s, key) }):
					t.Errorf("%s: sample %v lacks %q", ch.Name, ch.Sample, key)
				case !targeted && ch.Status != "PASS":
					t.Errorf("%s: %s %v, but the breakage was not meant for it", ch.Name, ch.Status, ch.Sample)
				}
				delete(c.fails, ch.Name)
			}
			for name := range c.fails {
				t.Errorf("no check named %q", name)
			}
		})
	}
}

func TestSourceChangedSinceMigration(t *testing.T) {
	t.Parallel()
	dsn := migrated(t)
	dir := t.TempDir()
	for _, f := range []string{"clients.csv", "intervenants.csv", "projets.csv", "affectations.csv"} {
		data, err := os.ReadFile(filepath.Join(sample(t), f))
		if err != nil {
			t.Fatal(err)
		}
		if f == "clients.csv" {
			data = append(data, "9999,Nouveau,,n@x.fr,,,\n"...)
		}
		os.WriteFile(filepath.Join(dir, f), data, 0o644)
	}
	res, rep := runValidate(t, dsn, "-source", dir)
	if res.Code != 1 {
		t.Errorf("exit %d, want 1", res.Code)
	}
	for _, c := range rep.Checks {
		if strings.HasPrefix(c.Name, "source ") && (c.Status == "FAIL") != (c.Name == "source clients.csv") {
			t.Errorf("%s: %s %v", c.Name, c.Status, c.Sample)
		}
	}
}

func TestCannotCheck(t *testing.T) {
	t.Parallel()
	cfg, err := mysql.ParseDSN(mariadbtest.ServerDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	wrong := cfg.Clone()
	wrong.User, wrong.Passwd, wrong.DBName = "nobody", "pw-secret", "x"
	down := cfg.Clone()
	down.Addr, down.DBName = "127.0.0.1:1", "x"
	cases := []struct {
		name, dsn, want string
	}{
		{"database down", down.FormatDSN(), "cannot reach MariaDB at 127.0.0.1:1"},
		{"wrong password", wrong.FormatDSN(), "access denied for user nobody"},
		{"empty database", mariadbtest.NewDatabase(t), "no dmt schema in this database (run migration first)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, _ := runValidate(t, c.dsn)
			line := strings.TrimSpace(res.Stderr)
			if res.Code != 2 || !strings.Contains(line, c.want) || strings.Contains(line, "\n") || strings.Contains(line, "pw-secret") {
				t.Errorf("exit %d, stderr %q; want exit 2 and one line with %q", res.Code, res.Stderr, c.want)
			}
		})
	}
}

// TestNightlyScript runs scripts/nightly_validate.sh as cron would: bare environment,
// DSN from an owner-only file, old reports pruned to the last 30, validate's status (2
// when checks could not run).
func TestNightlyScript(t *testing.T) {
	t.Parallel()
	root, err := mariadbtest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(root, "scripts", "nightly_validate.sh")
	dsn := migrated(t)
	dir := t.TempDir()
	dsnFile := filepath.Join(dir, "validate.dsn")
	if err := os.WriteFile(dsnFile, []byte(dsn+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	reports := filepath.Join(dir, "reports")
	os.MkdirAll(reports, 0o755)
	for i := range 35 {
		name := filepath.Join(reports, "rapport_validation_2020010"+string(rune('1'+i/10))+"-0000"+string(rune('0'+i%10))+"0.txt")
		os.WriteFile(name, []byte("old"), 0o644)
	}
	cron := func(dsnFile string) progtest.Result {
		cmd := []string{"-i", "PATH=/usr/bin:/bin", progtest.CoverEnv(), "DMT_REPORTS=" + reports, "DMT_VALIDATE=" + progtest.Path("validate"), "/bin/bash", script, dsnFile}
		return progtest.RunPath(t, "/usr/bin/env", cmd...)
	}
	res := cron(dsnFile)
	if res.Code != 0 || res.Stdout != "" || res.Stderr != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q; want a silent success", res.Code, res.Stdout, res.Stderr)
	}
	kept, _ := filepath.Glob(filepath.Join(reports, "rapport_validation_*.txt"))
	if len(kept) != 30 {
		t.Errorf("%d reports kept, want 30", len(kept))
	}
	if data, _ := os.ReadFile(kept[len(kept)-1]); !strings.Contains(string(data), "Summary:") {
		t.Errorf("newest report is not today's: %s", kept[len(kept)-1])
	}

	db, _ := sql.Open("mysql", dsn)
	defer db.Close()
	db.SetMaxOpenConns(1)
	db.Exec("SET SESSION foreign_key_checks = 0")
	if _, err := db.Exec("UPDATE projets SET id_client = 424242 WHERE id_projet = 2"); err != nil {
		t.Fatal(err)
	}
	if res := cron(dsnFile); res.Code != 1 || !strings.Contains(res.Stderr, "checks failed") {
		t.Errorf("broken database: exit %d, stderr %q; want 1 and the failure", res.Code, res.Stderr)
	}
	// An account kept from a column: the mail says the checks could not run, not that
	// they failed, and the status is 2 (the failures are named all the same).
	blind := filepath.Join(dir, "blind.dsn")
	account := mariadbtest.NewAccountWithout(t, mariadbtest.ServerDSN(t), dsn, "clients", "email", "journal", "validate_results")
	if err := os.WriteFile(blind, []byte(account+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if res := cron(blind); res.Code != 2 || strings.Count(res.Stderr, "\n") != 1 || !strings.Contains(res.Stderr, "checks could not run, the verdict is incomplete") ||
		!strings.Contains(res.Stderr, "2 failed all the same (projets.id_client -> clients") {
		t.Errorf("account without clients.email: exit %d, stderr %q; want 2 and one line: checks could not run, two failed all the same", res.Code, res.Stderr)
	}
	os.Chmod(dsnFile, 0o644)
	if res := cron(dsnFile); res.Code != 2 || !strings.Contains(res.Stderr, "chmod 600") {
		t.Errorf("DSN file readable by all: exit %d, stderr %q; want 2", res.Code, res.Stderr)
	}
}

// TestNightlyScriptDSNFile: the DSN file as people write it. The README's
// `(umask 077; cat > validate.dsn)` is interactive (the DSN is typed, then Ctrl-D); its
// non-interactive equivalent here feeds cat from stdin: the file is born owner-only, and
// a CRLF line end or spaces around the DSN are ignored. An empty file says so, and flags
// after the file go to validate (-domain distributech).
func TestNightlyScriptDSNFile(t *testing.T) {
	t.Parallel()
	root, err := mariadbtest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(root, "scripts", "nightly_validate.sh")
	dsn := migrated(t)
	dir := t.TempDir()
	reports := filepath.Join(dir, "reports")
	cron := func(args ...string) progtest.Result {
		cmd := append([]string{"-i", "PATH=/usr/bin:/bin", progtest.CoverEnv(), "DMT_REPORTS=" + reports, "DMT_VALIDATE=" + progtest.Path("validate"), "/bin/bash", script}, args...)
		return progtest.RunPath(t, "/usr/bin/env", cmd...)
	}
	dsnFile := filepath.Join(dir, "validate.dsn")
	write := exec.Command("/bin/bash", "-c", `(umask 077; cat > "$1")`, "_", dsnFile)
	write.Stdin = strings.NewReader("  " + dsn + " \r\n")
	if out, err := write.CombinedOutput(); err != nil {
		t.Fatalf("(umask 077; cat > validate.dsn): %v %s", err, out)
	}
	if st, err := os.Stat(dsnFile); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("validate.dsn: %v %v, want mode 600", st.Mode(), err)
	}
	if res := cron(dsnFile); res.Code != 0 || res.Stdout != "" || res.Stderr != "" {
		t.Errorf("DSN with CRLF and spaces: exit %d, stdout %q, stderr %q; want a silent success", res.Code, res.Stdout, res.Stderr)
	}
	if res := cron(dsnFile, "-domain", "distributech"); res.Code != 2 || !strings.Contains(res.Stderr, "distributech") {
		t.Errorf("-domain distributech on a clevity database: exit %d, stderr %q; want 2, the domain refused", res.Code, res.Stderr)
	}
	empty := filepath.Join(dir, "empty.dsn")
	os.WriteFile(empty, []byte(" \r\n"), 0o600)
	if res := cron(empty); res.Code != 2 || !strings.Contains(res.Stderr, "is empty") {
		t.Errorf("empty DSN file: exit %d, stderr %q; want 2 and that it is empty", res.Code, res.Stderr)
	}
}
