package main

import (
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	_ "github.com/go-sql-driver/mysql"

	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/progtest"
)

// TestMain builds the programs once; the tests run them as users do.
func TestMain(m *testing.M) {
	progtest.Main(m, "migration", "generate_data", "validate", "analyse_stock", "reprise")
}

// TestManual: -h prints the manual on stdout with every flag (see progtest.CheckManual).
func TestManual(t *testing.T) {
	t.Parallel()
	progtest.CheckManual(t, "migration", run)
}

type result struct {
	code           int
	stdout, stderr string
}

// runProg runs a built program with env additions and returns its exit code and output.
func runProg(t *testing.T, env []string, prog string, args ...string) result {
	t.Helper()
	r := progtest.Run(t, env, nil, prog, args...)
	return result{code: r.Code, stdout: r.Stdout, stderr: r.Stderr}
}

func migration(t *testing.T, dsn string, args ...string) result {
	t.Helper()
	return runProg(t, nil, "migration", append([]string{"-dsn", dsn, "-today", "2026-11-15"}, args...)...)
}

func openDB(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func count(t *testing.T, db *sql.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// content returns the business content of the clevity tables, lineage left out, in key
// order: what two runs must agree on.
func content(t *testing.T, db *sql.DB) string {
	t.Helper()
	return dump(t, db,
		"SELECT id_client, nom, secteur, email, telephone, ville, date_creation FROM clients ORDER BY id_client",
		"SELECT id_intervenant, nom, prenom, email, agence, specialite, date_embauche FROM intervenants ORDER BY id_intervenant",
		"SELECT id_projet, id_client, titre, type_prestation, statut, date_debut, date_fin, budget, note_satisfaction FROM projets ORDER BY id_projet",
		"SELECT id_projet, site FROM projet_sites ORDER BY id_projet, site",
		"SELECT id_affectation, id_projet, id_intervenant, role, site, date_debut, date_fin, jours FROM affectations ORDER BY id_affectation")
}

// dump returns the rows of the queries as text, one line each.
func dump(t *testing.T, db *sql.DB, queries ...string) string {
	t.Helper()
	var b strings.Builder
	for _, q := range queries {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		cols, _ := rows.Columns()
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				b.WriteString(v.String)
				b.WriteByte('\t')
			}
			b.WriteByte('\n')
		}
		rows.Close()
	}
	return b.String()
}

type jsonReport struct {
	RunID        string `json:"run_id"`
	Status       string `json:"status"`
	FilesSkipped int    `json:"files_skipped"`
	Files        []struct {
		File               string         `json:"file"`
		Entity             string         `json:"entity"`
		State              string         `json:"state"`
		UnchangedSince     string         `json:"unchanged_since"`
		StillRejectedSince string         `json:"still_rejected_since"`
		CommittedLine      int            `json:"committed_line"`
		Read               int            `json:"read"`
		Inserted           int            `json:"inserted"`
		Rejected           int            `json:"rejected"`
		StillRejected      int            `json:"still_rejected"`
		Ignored            int            `json:"ignored"`
		ByCode             map[string]int `json:"by_code"`
	} `json:"files"`
	Totals struct {
		Read, Inserted, Rejected, Ignored int
		StillRejected                     int `json:"still_rejected"`
	} `json:"totals"`
}

func readReport(t *testing.T, dir string) jsonReport {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "rapport_reprise.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r jsonReport
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	for _, f := range r.Files {
		if f.Read != f.Inserted+f.Rejected+f.Ignored {
			t.Errorf("%s: read %d != %d+%d+%d", f.File, f.Read, f.Inserted, f.Rejected, f.Ignored)
		}
	}
	return r
}

func readCSV(t *testing.T, path string) [][]string { return progtest.ReadCSV(t, path) }

func TestSmallFolder(t *testing.T) {
	t.Parallel()
	dsn := mariadbtest.NewDatabase(t)
	out := t.TempDir()
	res := migration(t, dsn, "-out", out, "testdata/small")
	if res.code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", res.code, res.stderr)
	}
	rep := readReport(t, out)
	want := map[string][4]int{
		"clients.csv":      {5, 2, 2, 1},
		"intervenants.csv": {2, 2, 0, 0},
		"projets.csv":      {5, 2, 3, 0},
		"affectations.csv": {5, 3, 2, 0},
	}
	for _, f := range rep.Files {
		got := [4]int{f.Read, f.Inserted, f.Rejected, f.Ignored}
		if got != want[f.File] {
			t.Errorf("%s: read/inserted/rejected/ignored = %v, want %v (by code %v)", f.File, got, want[f.File], f.ByCode)
		}
	}
	wantCodes := map[string]map[string]int{
		"clients.csv":      {"EMAIL_TAKEN": 1, "BAD_DATE": 1, "DUPLICATE_ROW": 1},
		"projets.csv":      {"UNKNOWN_REFERENCE": 2, "SATISFACTION_NOT_ALLOWED": 1},
		"affectations.csv": {"UNKNOWN_REFERENCE": 1, "SITE_NOT_IN_PROJECT": 1},
	}
	for _, f := range rep.Files {
		for code, n := range wantCodes[f.File] {
			if f.ByCode[code] != n {
				t.Errorf("%s: %s = %d, want %d (by code %v)", f.File, code, f.ByCode[code], n, f.ByCode)
			}
		}
	}
	db := openDB(t, dsn)
	// Canonical values: dates, decimals, enums, e-mails as the contract stores them.
	var email, created, statut, budget string
	if err := db.QueryRow("SELECT email, date_creation FROM clients WHERE id_client = 2").Scan(&email, &created); err != nil {
		t.Fatal(err)
	}
	if email != "info@lefevre.fr" || created != "2018-06-15" {
		t.Errorf("client 2 = %q %q, want info@lefevre.fr 2018-06-15", email, created)
	}
	if err := db.QueryRow("SELECT statut, budget FROM projets WHERE id_projet = 100").Scan(&statut, &budget); err != nil {
		t.Fatal(err)
	}
	if statut != "termine" || budget != "12500.50" {
		t.Errorf("projet 100 = %q %q, want termine 12500.50", statut, budget)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM projet_sites WHERE id_projet = 100"); n != 2 {
		t.Errorf("projet 100 has %d sites, want 2", n)
	}
	// Lineage and journal.
	if n := count(t, db, "SELECT COUNT(*) FROM affectations WHERE run_id = ? AND source_file = 'affectations.csv' AND source_line > 1", rep.RunID); n != 3 {
		t.Errorf("affectations with lineage of run %s: %d, want 3", rep.RunID, n)
	}
	var status string
	if err := db.QueryRow("SELECT status FROM journal WHERE run_id = ?", rep.RunID).Scan(&status); err != nil {
		t.Fatal(err)
	}
	if status != "data_errors" {
		t.Errorf("journal status %q, want data_errors", status)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM journal_files WHERE run_id = ? AND sha256 IS NOT NULL AND `read` = inserted + rejected + ignored", rep.RunID); n != 4 {
		t.Errorf("journal_files complete rows: %d, want 4", n)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM rejections WHERE run_id = ?", rep.RunID); n != 7 {
		t.Errorf("rejections stored: %d, want 7", n)
	}
	// Rejected rows as read, with _line and _errors.
	rows := readCSV(t, filepath.Join(out, "rejets", "clients.csv"))
	if len(rows) != 3 || !slices.Equal(rows[0][len(rows[0])-4:], []string{"_file", "_line", "_errors", "_raw"}) ||
		rows[1][len(rows[1])-3] != "4" || !strings.Contains(rows[1][len(rows[1])-2], "EMAIL_TAKEN") {
		t.Errorf("rejets/clients.csv = %q", rows)
	}
	if rows[2][len(rows[2])-5] != "2021-13-01" {
		t.Errorf("rejected row not kept as read: %q", rows[2])
	}
	logText, err := os.ReadFile(filepath.Join(out, "log.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"action=rejected", "code=EMAIL_TAKEN", "line=4", "action=ignored", "code=DUPLICATE_ROW", "action=committed", "run=" + rep.RunID} {
		if !strings.Contains(string(logText), want) {
			t.Errorf("log.txt lacks %q", want)
		}
	}
	if strings.Contains(res.stderr+string(logText), "password") {
		t.Errorf("output mentions a password")
	}

	// Running it again inserts nothing and leaves the tables as they were: the clean
	// intervenants.csv is skipped, the files with rejections are judged again and their
	// rejections are known ones, so the run has no new problem (exit 0).
	before := content(t, db)
	out2 := t.TempDir()
	res = migration(t, dsn, "-out", out2, "testdata/small")
	if res.code != 0 || !strings.Contains(res.stderr, "7 rows still rejected (unchanged since run "+rep.RunID+")") {
		t.Fatalf("rerun exit %d, want 0 and 7 rows still rejected; stderr:\n%s", res.code, res.stderr)
	}
	rep2 := readReport(t, out2)
	if rep2.Totals.Inserted != 0 || rep2.Totals.Rejected != 7 || rep2.Totals.StillRejected != 7 || rep2.Totals.Ignored != 8 || rep2.FilesSkipped != 1 {
		t.Errorf("rerun totals %+v, %d skipped; want 0 inserted, 7 rejected (7 still), 8 ignored, 1 file skipped", rep2.Totals, rep2.FilesSkipped)
	}
	if after := content(t, db); after != before {
		t.Errorf("rerun changed the tables:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

func TestRejectsToStdout(t *testing.T) {
	t.Parallel()
	dsn := mariadbtest.NewDatabase(t)
	out := t.TempDir()
	if res := migration(t, dsn, "-out", out, "-entity", "clients", "testdata/small/clients.csv"); res.code != 1 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	// The second run rejects the same rows again: known problems (exit 0), still written.
	res := migration(t, dsn, "-out", out, "-rejects", "-", "testdata/small/clients.csv")
	if res.code != 0 || !strings.Contains(res.stderr, "2 rows still rejected") {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	lines := strings.Split(strings.TrimSpace(res.stdout), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "id_client,") || !strings.Contains(lines[1], "EMAIL_TAKEN") || !strings.Contains(lines[2], "BAD_DATE") {
		t.Errorf("stdout = %q, want the header and the 2 rejected rows", res.stdout)
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	t.Parallel()
	dsn := mariadbtest.NewDatabase(t)
	out := t.TempDir()
	res := migration(t, dsn, "-dry-run", "-out", out, "testdata/small")
	if res.code != 1 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	rep := readReport(t, out)
	if rep.Totals.Inserted != 9 || rep.Totals.Rejected != 7 {
		t.Errorf("dry run totals %+v", rep.Totals)
	}
	db := openDB(t, dsn)
	if n := count(t, db, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()"); n != 0 {
		t.Errorf("dry run created %d tables", n)
	}
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	dsn := mariadbtest.NewDatabase(t)
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	noEmail := write("clients.csv", "id_client,nom\n1,A\n")
	empty := write("projets.csv", "")
	cases := []struct {
		name string
		args []string
		dsn  string
		want string
	}{
		{"missing folder", []string{"nope/"}, dsn, "no such file"},
		{"missing column", []string{noEmail}, dsn, "email"},
		{"empty file", []string{empty}, dsn, "empty"},
		{"no server", []string{"testdata/small"}, "root:secret@tcp(127.0.0.1:1)/x", "127.0.0.1:1"},
		{"wrong password", []string{"testdata/small"}, wrongPassword(t, dsn), "access denied"},
		{"bad flag", []string{"-nope", "testdata/small"}, dsn, "flag provided but not defined"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := runProg(t, nil, "migration", append([]string{"-dsn", c.dsn, "-out", t.TempDir()}, c.args...)...)
			lines := strings.Split(strings.TrimSpace(res.stderr), "\n")
			if res.code != 2 || len(lines) != 1 || !strings.Contains(strings.ToLower(lines[0]), c.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and one line with %q", res.code, res.stderr, c.want)
			}
			if strings.Contains(res.stderr, "secret") {
				t.Errorf("password in output: %q", res.stderr)
			}
		})
	}
	db := openDB(t, dsn)
	if n := count(t, db, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'clients'"); n != 0 {
		if c := count(t, db, "SELECT COUNT(*) FROM clients"); c != 0 {
			t.Errorf("bad input loaded %d clients", c)
		}
	}
}

func wrongPassword(t *testing.T, dsn string) string {
	t.Helper()
	i := strings.Index(dsn, "@")
	user := strings.SplitN(dsn[:i], ":", 2)[0]
	return user + ":secret" + dsn[i:]
}

// TestFixParentsAndRerun: a project whose client is missing is rejected with its
// affectations (UNKNOWN_REFERENCE); the client arrives in a file of its own; the same
// folder run again skips the unchanged clean files, judges again the files that had
// rejections, and now loads the project and its affectations (exit 0). Rows already
// loaded are summarised in the log, one line per file, not one line each.
func TestFixParentsAndRerun(t *testing.T) {
	t.Parallel()
	data := writeDataset(t, 50)
	clients, err := os.ReadFile(filepath.Join(data, "clients.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(clients), "\n")
	late := lines[50] // client 50
	if !strings.HasPrefix(late, "50,") {
		t.Fatalf("line 51 of clients.csv is %q", late)
	}
	if err := os.WriteFile(filepath.Join(data, "clients.csv"), []byte(strings.Join(lines[:50], "")+strings.Join(lines[51:], "")), 0o644); err != nil {
		t.Fatal(err)
	}
	dsn := mariadbtest.NewDatabase(t)
	db := openDB(t, dsn)
	first := migration(t, dsn, "-out", t.TempDir(), data)
	if first.code != 1 {
		t.Fatalf("first run: exit %d, want 1: %s", first.code, first.stderr)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM rejections WHERE codes LIKE '%UNKNOWN_REFERENCE%'"); n != 3 {
		t.Fatalf("first run rejected %d rows as UNKNOWN_REFERENCE, want 3 (projet 50 and its 2 affectations)", n)
	}

	lateFile := filepath.Join(t.TempDir(), "clients_retardataires.csv")
	if err := os.WriteFile(lateFile, []byte(lines[0]+late), 0o644); err != nil {
		t.Fatal(err)
	}
	if res := migration(t, dsn, "-out", t.TempDir(), "-entity", "clients", lateFile); res.code != 0 {
		t.Fatalf("late client: exit %d: %s", res.code, res.stderr)
	}

	out := t.TempDir()
	res := migration(t, dsn, "-out", out, data)
	if res.code != 0 || strings.Contains(res.stderr, "still rejected") {
		t.Fatalf("rerun: exit %d, want 0 with nothing still rejected: %s", res.code, res.stderr)
	}
	rep := readReport(t, out)
	want := map[string]struct {
		state              string
		inserted, rejected int
	}{
		"clients.csv":      {"skipped", 0, 0},
		"intervenants.csv": {"skipped", 0, 0},
		"projets.csv":      {"complete", 1, 0},
		"affectations.csv": {"complete", 2, 0},
	}
	for _, f := range rep.Files {
		w := want[f.File]
		if f.State != w.state || f.Inserted != w.inserted || f.Rejected != w.rejected {
			t.Errorf("rerun: %s: %s, inserted %d, rejected %d; want %s, %d, %d", f.File, f.State, f.Inserted, f.Rejected, w.state, w.inserted, w.rejected)
		}
		if f.State == "skipped" && (f.Read != 0 || f.UnchangedSince == "") {
			t.Errorf("rerun: skipped %s read %d rows, unchanged since %q", f.File, f.Read, f.UnchangedSince)
		}
	}
	if rep.FilesSkipped != 2 {
		t.Errorf("rerun: %d files skipped, want 2", rep.FilesSkipped)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM affectations WHERE id_projet = 50"); n != 2 {
		t.Errorf("affectations of projet 50: %d, want 2", n)
	}
	logText, err := os.ReadFile(filepath.Join(out, "log.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var loaded []string
	for _, l := range strings.Split(string(logText), "\n") {
		if strings.Contains(l, "ALREADY_LOADED") {
			loaded = append(loaded, l)
		}
	}
	if len(loaded) != 2 || !strings.Contains(loaded[0], "rows=49") || !strings.Contains(loaded[1], "rows=98") {
		t.Errorf("log.txt: ALREADY_LOADED lines %q, want one per file read (projets rows=49, affectations rows=98)", loaded)
	}
	text, _ := os.ReadFile(filepath.Join(out, "rapport_reprise.txt"))
	if !strings.Contains(string(text), "skipped   unchanged since run ") {
		t.Errorf("rapport_reprise.txt does not say which files were skipped:\n%s", text)
	}
}
