package main

import (
	"bytes"
	"database/sql"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/progtest"
)

// editCSV rewrites the CSV file at path in place as a script would, with the standard
// library's reader and writer (no knowledge of the toolkit): edit gets the header and
// each row, changes the row in place, and returns false to drop it.
func editCSV(t *testing.T, path string, edit func(header, row []string) bool) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Like a script that edits a file in place, it keeps the file's dialect: rejected
	// rows come in their input's (a French Excel file's are ';', CRLF, with a BOM).
	bom := []byte("\uFEFF")
	hasBOM := bytes.HasPrefix(data, bom)
	data = bytes.TrimPrefix(data, bom)
	header, _, _ := bytes.Cut(data, []byte("\n"))
	r := csv.NewReader(bytes.NewReader(data))
	if bytes.Count(header, []byte(";")) > bytes.Count(header, []byte(",")) {
		r.Comma = ';'
	}
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	kept := rows[:1]
	for _, r := range rows[1:] {
		if edit(rows[0], r) {
			kept = append(kept, r)
		}
	}
	var b bytes.Buffer
	if hasBOM {
		b.Write(bom)
	}
	w := csv.NewWriter(&b)
	w.Comma, w.UseCRLF = r.Comma, bytes.HasSuffix(header, []byte("\r"))
	w.WriteAll(kept)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// col returns the value of the named column of row, or a text saying it has none.
func col(header, row []string, name string) string {
	if i := slices.Index(header, name); i >= 0 && i < len(row) {
		return row[i]
	}
	return "<no column " + name + ">"
}

// set changes the value of the named column of row.
func set(header, row []string, name, v string) { row[slices.Index(header, name)] = v }

var runIDRe = regexp.MustCompile(`: run (\S+):`)

// runID is the run id a program printed on stderr.
func runID(t *testing.T, stderr string) string {
	t.Helper()
	m := runIDRe.FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no run id in %q", stderr)
	}
	return m[1]
}

// kept is the name a run keeps the file it replaced under.
func kept(path, runID string) string {
	ext := filepath.Ext(path)
	return strings.TrimSuffix(path, ext) + "." + runID + ext
}

func noTempFiles(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
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

// row returns the columns of the first row q selects, NULL as "<NULL>".
func row(t *testing.T, db *sql.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	if !rows.Next() {
		t.Fatalf("%s %v: no row", q, args)
	}
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(cols))
	for i, v := range vals {
		out[i] = v.String
		if !v.Valid {
			out[i] = "<NULL>"
		}
	}
	return out
}

// TestQuarantineSameFileInOut runs the README's round trip: the quarantine, fixed by
// hand in place, is fed back with the same -out. The run reads it whole, writes the new
// quarantine in its place and keeps the fixed file it read as
// quarantaine_projets.<run_id>.csv. A dry run does the same, and a failed run (database
// unreachable) leaves the quarantine untouched.
func TestQuarantineSameFileInOut(t *testing.T) {
	t.Parallel()
	dsn := loaded(t, repoFile(t, "data_1"))
	out := t.TempDir()
	res := progtest.Run(t, nil, nil, "reprise", "-dsn", dsn, "-today", today, "-out", out, repoFile(t, "data_1", "projets_corrompus.csv"))
	if res.Code != 1 {
		t.Fatal(res.Stderr)
	}
	qpath := filepath.Join(out, "quarantaine_projets.csv")
	isolated := len(readCSV(t, qpath)) - 1

	// The dry run reads every isolated row and isolates them again.
	before, _ := os.ReadFile(qpath)
	res = progtest.Run(t, nil, nil, "reprise", "-dsn", dsn, "-today", today, "-dry-run", "-out", out, qpath)
	if res.Code != 1 || !strings.Contains(res.Stderr, fmt.Sprintf("read %d,", isolated)) {
		t.Fatalf("dry run on the quarantine: exit %d: %s; want %d read", res.Code, res.Stderr, isolated)
	}
	if k, err := os.ReadFile(kept(qpath, runID(t, res.Stderr))); err != nil || !bytes.Equal(k, before) {
		t.Errorf("dry run: the quarantine it read is not kept (%v)", err)
	}
	if n := len(readCSV(t, qpath)) - 1; n != isolated {
		t.Errorf("dry run: quarantine holds %d rows, want %d", n, isolated)
	}

	// Fixed by hand, in place.
	fixed := 0
	editCSV(t, qpath, func(h, r []string) bool {
		switch errs := col(h, r, "_errors"); {
		case strings.HasPrefix(errs, "MISSING_REQUIRED titre"):
			set(h, r, "titre", "Projet repris à la main")
		case strings.HasPrefix(errs, "OUT_OF_RANGE budget"):
			set(h, r, "budget", "1500")
		default:
			return true
		}
		fixed++
		return true
	})
	if fixed < 5 {
		t.Fatalf("only %d rows fixed", fixed)
	}
	handFixed, _ := os.ReadFile(qpath)
	res = progtest.Run(t, nil, nil, "reprise", "-dsn", dsn, "-today", today, "-out", out, qpath)
	if res.Code != 1 || !strings.Contains(res.Stderr, fmt.Sprintf("read %d, re-injected %d, isolated %d,", isolated, fixed, isolated-fixed)) {
		t.Fatalf("exit %d: %s; want %d read, %d re-injected", res.Code, res.Stderr, isolated, fixed)
	}
	if k, err := os.ReadFile(kept(qpath, runID(t, res.Stderr))); err != nil || !bytes.Equal(k, handFixed) {
		t.Errorf("the hand-fixed quarantine is not kept (%v)", err)
	}
	if n := len(readCSV(t, qpath)) - 1; n != isolated-fixed {
		t.Errorf("new quarantine holds %d rows, want %d", n, isolated-fixed)
	}

	// A run that fails keeps the quarantine as it was.
	before, _ = os.ReadFile(qpath)
	res = progtest.Run(t, nil, nil, "reprise", "-dsn", "root:secret@tcp(127.0.0.1:1)/x", "-today", today, "-out", out, qpath)
	if res.Code != 2 {
		t.Fatalf("unreachable database: exit %d: %s", res.Code, res.Stderr)
	}
	if after, err := os.ReadFile(qpath); err != nil || !bytes.Equal(after, before) {
		t.Errorf("a failed run changed the quarantine (%v)", err)
	}
	noTempFiles(t, out)
}

// migrationLine returns the line of data_1/projets.csv that holds projet id.
func migrationLine(t *testing.T, id string) (int, string) {
	t.Helper()
	data, err := os.ReadFile(repoFile(t, "data_1", "projets.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, id+",") {
			return i + 1, strings.TrimSuffix(l, "\r")
		}
	}
	t.Fatalf("projet %s not in data_1/projets.csv", id)
	return 0, ""
}

// pipe runs the README's pipe from migration's rejected projets to reprise.
func pipe(t *testing.T, dsn, out string) {
	t.Helper()
	script := progtest.Path("migration") + " -today " + today + " -out " + out + " -entity projets -rejects - " + repoFile(t, "data_1", "projets.csv") +
		" | " + progtest.Path("reprise") + " -today " + today + " -out " + out + " -entity projets -"
	cmd := exec.Command("bash", "-o", "pipefail", "-c", script)
	cmd.Env = append(os.Environ(), "MARIADB_DSN="+dsn)
	stderr, _ := cmd.CombinedOutput()
	if cmd.ProcessState.ExitCode() != 1 {
		t.Fatalf("pipe: exit %d: %s", cmd.ProcessState.ExitCode(), stderr)
	}
}

// TestMalformedRowsStayRejected: a projets line with 9 fields instead of 10 comes out of
// migration's rejects as its original text, in _raw, with empty data columns; through
// the README's pipe to reprise it stays MALFORMED_ROW, and so it does when the
// quarantine is fed back unchanged. Fixed in _raw, it loads.
func TestMalformedRowsStayRejected(t *testing.T) {
	t.Parallel()
	dsn := mariadbtest.NewDatabase(t)
	if res := progtest.Run(t, nil, nil, "migration", "-dsn", dsn, "-today", today, "-out", t.TempDir(), repoFile(t, "data_1", "clients.csv")); res.Code > 1 {
		t.Fatal(res.Stderr)
	}
	// migration's rejected rows, as a user sees them.
	res := progtest.Run(t, []string{"MARIADB_DSN=" + dsn}, nil, "migration", "-today", today, "-dry-run", "-out", t.TempDir(),
		"-entity", "projets", "-rejects", "-", repoFile(t, "data_1", "projets.csv"))
	rejects := parseCSV(t, res.Stdout)
	malformed := map[string]int{"1115": 0, "1903": 0, "2018": 0}
	for id := range malformed {
		line, text := migrationLine(t, id)
		malformed[id] = line
		var r []string
		for _, x := range rejects[1:] {
			if col(rejects[0], x, "_line") == strconv.Itoa(line) {
				r = x
			}
		}
		if r == nil {
			t.Fatalf("line %d (projet %s) not in the rejected rows", line, id)
		}
		if col(rejects[0], r, "_raw") != text || col(rejects[0], r, "id_projet") != "" || col(rejects[0], r, "_file") != "projets.csv" {
			t.Errorf("line %d rejected as %q, want its text %q in _raw and empty data columns", line, r, text)
		}
	}

	out := t.TempDir()
	pipe(t, dsn, out)
	db := openDB(t, dsn)
	qpath := filepath.Join(out, "quarantaine_projets.csv")
	checkIsolated := func(when string) {
		t.Helper()
		q := readCSV(t, qpath)
		for id, line := range malformed {
			var n int
			db.QueryRow("SELECT COUNT(*) FROM projets WHERE id_projet = ?", id).Scan(&n)
			if n != 0 {
				t.Errorf("%s: malformed projet %s (line %d) was loaded", when, id, line)
			}
			found := false
			for _, r := range q[1:] {
				if col(q[0], r, "_line") == strconv.Itoa(line) && strings.HasPrefix(col(q[0], r, "_errors"), "MALFORMED_ROW") {
					found = true
				}
			}
			if !found {
				t.Errorf("%s: line %d (projet %s) not isolated as MALFORMED_ROW", when, line, id)
			}
		}
	}
	checkIsolated("pipe")
	res = progtest.Run(t, nil, nil, "reprise", "-dsn", dsn, "-today", today, "-out", out, qpath)
	if res.Code != 1 {
		t.Fatalf("quarantine fed back: exit %d: %s", res.Code, res.Stderr)
	}
	checkIsolated("quarantine fed back unchanged")

	// Fixed in its text (the missing sites field), it loads.
	editCSV(t, qpath, func(h, r []string) bool {
		if col(h, r, "_line") == strconv.Itoa(malformed["1115"]) {
			set(h, r, "_raw", col(h, r, "_raw")+",")
		}
		return true
	})
	progtest.Run(t, nil, nil, "reprise", "-dsn", dsn, "-today", today, "-out", out, qpath)
	var n int
	db.QueryRow("SELECT COUNT(*) FROM projets WHERE id_projet = 1115").Scan(&n)
	if n != 1 {
		t.Errorf("projet 1115 fixed in _raw was not loaded")
	}
}

func parseCSV(t *testing.T, text string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("not CSV (%v): %q", err, text)
	}
	return rows
}

// TestFormulaValuesRoundTrip: values a spreadsheet would take for formulas are written
// to the rejected rows with a protecting quote (and a value starting with a quote gets
// one more); reading the file back removes exactly that quote, so a client fixed in its
// e-mail only is stored with the other values exactly as they were sent.
func TestFormulaValuesRoundTrip(t *testing.T) {
	t.Parallel()
	dsn := mariadbtest.NewDatabase(t)
	dir, out := t.TempDir(), t.TempDir()
	clients := [][]string{
		{"id_client", "nom", "secteur", "email", "telephone", "ville", "date_creation"},
		{"1", "Client Un", "Conseil", "un@example.fr", "01 02 03 04 05", "Lyon", "2020-01-01"},
		{"2", "=Dupont & Fils", "@Conseil", "pas-un-email", "+33 6 12 34 56 78", "-Lyon", "2020-01-02"},
		{"3", "'Quote SARL", "+Industrie", "trois@@example.fr", "-12", "'Paris'", "2020-01-03"},
		{"4", "@Home", "-", "quatre at example.fr", "'0102", "=Nice", "2020-01-04"},
	}
	writeCSV(t, filepath.Join(dir, "clients.csv"), clients, csvfileOptions{})
	if res := progtest.Run(t, nil, nil, "migration", "-dsn", dsn, "-today", today, "-out", out, filepath.Join(dir, "clients.csv")); res.Code != 1 {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	rejects := filepath.Join(out, "rejets", "clients.csv")
	if data, _ := os.ReadFile(rejects); !strings.Contains(string(data), "'+33 6 12 34 56 78") || !strings.Contains(string(data), "''Quote SARL") {
		t.Errorf("rejected rows are not protected against formulas:\n%s", data)
	}
	editCSV(t, rejects, func(h, r []string) bool {
		set(h, r, "email", "client"+col(h, r, "id_client")+"@example.fr")
		return true
	})
	res := progtest.Run(t, nil, nil, "reprise", "-dsn", dsn, "-today", today, "-entity", "clients", "-out", out, rejects)
	if res.Code != 0 || !strings.Contains(res.Stderr, "re-injected 3,") {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	db := openDB(t, dsn)
	for _, c := range clients[2:] {
		got := row(t, db, "SELECT nom, secteur, telephone, ville FROM clients WHERE id_client = ?", c[0])
		want := []string{c[1], c[2], c[4], c[5]}
		if !slices.Equal(got, want) {
			t.Errorf("client %s stored as %q, want %q", c[0], got, want)
		}
	}
}

type csvfileOptions struct {
	semicolon, windows1252 bool
}

// writeCSV writes rows as an agency's file: RFC 4180 quoting, ',' or ';', UTF-8 or
// Windows-1252.
func writeCSV(t *testing.T, path string, rows [][]string, opt csvfileOptions) {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if opt.semicolon {
		w.Comma = ';'
	}
	w.WriteAll(rows)
	data := b.Bytes()
	if opt.windows1252 {
		var err error
		if data, err = charmap.Windows1252.NewEncoder().Bytes(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLineageThroughRoundTrips: rows re-injected through the README's pipe keep the
// file and line they came from (origin_file, origin_line) while source_file names what
// reprise read (stdin); the quarantine's _file and _line stay those of data_1/projets.csv
// however many times it is fed back, and the log names both positions.
func TestLineageThroughRoundTrips(t *testing.T) {
	t.Parallel()
	dsn := mariadbtest.NewDatabase(t)
	if res := progtest.Run(t, nil, nil, "migration", "-dsn", dsn, "-today", today, "-out", t.TempDir(), repoFile(t, "data_1", "clients.csv")); res.Code > 1 {
		t.Fatal(res.Stderr)
	}
	out := t.TempDir()
	pipe(t, dsn, out)
	db := openDB(t, dsn)
	rows, err := db.Query("SELECT id_projet, source_file, IFNULL(origin_file, '<NULL>'), IFNULL(origin_line, 0) FROM projets WHERE source_file <> 'projets.csv'")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		var id, src, ofile string
		var oline int
		rows.Scan(&id, &src, &ofile, &oline)
		if line, _ := migrationLine(t, id); src != "stdin" || ofile != "projets.csv" || oline != line {
			t.Errorf("projet %s: source_file %q, origin %s:%d; want stdin, projets.csv:%d", id, src, ofile, oline, line)
		}
		n++
	}
	rows.Close()
	if n == 0 {
		t.Fatal("the pipe re-injected nothing")
	}
	var sites int
	db.QueryRow("SELECT COUNT(*) FROM projet_sites WHERE source_file = 'stdin' AND (origin_file <> 'projets.csv' OR origin_line IS NULL)").Scan(&sites)
	if sites != 0 {
		t.Errorf("%d re-injected sites without their origin", sites)
	}
	if nulls := row(t, db, "SELECT COUNT(*) FROM clients WHERE origin_file IS NOT NULL OR origin_line IS NOT NULL"); nulls[0] != "0" {
		t.Errorf("%s clients loaded from their first file have an origin", nulls[0])
	}

	qpath := filepath.Join(out, "quarantaine_projets.csv")
	origins := func() []string {
		q := readCSV(t, qpath)
		var o []string
		for _, r := range q[1:] {
			o = append(o, col(q[0], r, "_file")+":"+col(q[0], r, "_line"))
		}
		slices.Sort(o)
		return o
	}
	first := origins()
	if len(first) == 0 || !strings.HasPrefix(first[0], "projets.csv:") {
		t.Fatalf("quarantine origins %q, want projets.csv lines", first)
	}
	for i := range 2 {
		res := progtest.Run(t, nil, nil, "reprise", "-dsn", dsn, "-today", today, "-out", out, qpath)
		if res.Code != 1 {
			t.Fatalf("round trip %d: exit %d: %s", i+1, res.Code, res.Stderr)
		}
		if got := origins(); !slices.Equal(got, first) {
			t.Errorf("round trip %d: quarantine origins %q, want %q", i+1, got, first)
		}
	}
	log, _ := os.ReadFile(filepath.Join(out, "log_reprise.txt"))
	if !regexp.MustCompile(`action=isolated .*file=quarantaine_projets\.csv line=\d+ origin_file=projets\.csv origin_line=\d+`).Match(log) {
		t.Errorf("log_reprise.txt does not name both positions of a row fed back")
	}
	if !regexp.MustCompile(`action=re-injected .*file=stdin line=\d+ origin_file=projets\.csv origin_line=\d+`).Match(log) {
		t.Errorf("log_reprise.txt does not name both positions of a re-injected row")
	}
}

// TestRejectsFixedByScript is the whole round trip: migration's rejected rows (from a
// French Excel file and a comma file, with formula-like values, quotes, a malformed
// line) are fixed by a script, fed back to reprise with the same -out, the rows still
// isolated are fixed in the quarantine and fed back again. The database then holds the
// fixed values byte for byte, and lineage names the original file and line of each.
func TestRejectsFixedByScript(t *testing.T) {
	t.Parallel()
	dsn := mariadbtest.NewDatabase(t)
	dir, out := t.TempDir(), t.TempDir()
	writeCSV(t, filepath.Join(dir, "clients.csv"), [][]string{
		{"id_client", "nom", "secteur", "email", "telephone", "ville", "date_creation"},
		{"1", "Société Générale d'Études", "Conseil", "contact@sge.fr", "+33 1 23 45 67 89", "Lyon", "2019-05-01"},
		{"2", "=Dupont & Fils", "@Énergie", "pas-un-email", "+33 6 12 34 56 78", "-Saint-Étienne", "2020-01-02"},
	}, csvfileOptions{semicolon: true, windows1252: true})
	projets := "id_projet,id_client,titre,type_prestation,statut,date_debut,date_fin,budget,note_satisfaction,sites\n" +
		"10,1,\"=Audit \"\"sécurité\"\", phase 1\",audit,termine,2024-01-10,2024-02-01,1500.00,6,Lyon\n" +
		"11,99,-Déploiement @siège,deploiement,en_cours,2024-03-01,,2000.00,,Lyon|Paris\n" +
		"12,1,'Formation Excel',formation,planifie,2025-01-15,,300.00,\n" +
		"13,1,Assistance,assistance,termine,2024-01-01,2024-01-02,100.00,3,\n"
	os.WriteFile(filepath.Join(dir, "projets.csv"), []byte(projets), 0o644)
	for _, f := range []string{"clients.csv", "projets.csv"} {
		if res := progtest.Run(t, nil, nil, "migration", "-dsn", dsn, "-today", today, "-out", out, filepath.Join(dir, f)); res.Code != 1 {
			t.Fatalf("migration %s: exit %d: %s", f, res.Code, res.Stderr)
		}
	}

	// The script fixes what it knows: the e-mail, the satisfaction.
	editCSV(t, filepath.Join(out, "rejets", "clients.csv"), func(h, r []string) bool {
		set(h, r, "email", "dupont@example.fr")
		return true
	})
	editCSV(t, filepath.Join(out, "rejets", "projets.csv"), func(h, r []string) bool {
		if col(h, r, "id_projet") == "10" {
			set(h, r, "note_satisfaction", "4")
		}
		return true
	})
	for _, f := range []string{"clients.csv", "projets.csv"} {
		entity := strings.TrimSuffix(f, ".csv")
		path := filepath.Join(out, "rejets", f)
		res := progtest.Run(t, nil, nil, "reprise", "-dsn", dsn, "-today", today, "-entity", entity, "-out", out, path)
		if res.Code > 1 {
			t.Fatalf("reprise %s: exit %d: %s", path, res.Code, res.Stderr)
		}
	}
	// Still isolated: the orphan and the malformed line; fixed in the quarantine.
	qpath := filepath.Join(out, "quarantaine_projets.csv")
	editCSV(t, qpath, func(h, r []string) bool {
		switch col(h, r, "_line") {
		case "3":
			set(h, r, "id_client", "2")
		case "4":
			set(h, r, "_raw", col(h, r, "_raw")+",Paris")
		}
		return true
	})
	if res := progtest.Run(t, nil, nil, "reprise", "-dsn", dsn, "-today", today, "-out", out, qpath); res.Code != 0 {
		t.Fatalf("reprise of the fixed quarantine: exit %d: %s", res.Code, res.Stderr)
	}

	db := openDB(t, dsn)
	cases := []struct {
		q, key string
		want   []string
	}{
		{"SELECT nom, secteur, email, telephone, ville, date_creation, source_file, origin_file, origin_line FROM clients WHERE id_client = ?", "2",
			[]string{"=Dupont & Fils", "@Énergie", "dupont@example.fr", "+33 6 12 34 56 78", "-Saint-Étienne", "2020-01-02", "clients.csv", "clients.csv", "3"}},
		{"SELECT id_client, titre, type_prestation, statut, date_debut, date_fin, budget, note_satisfaction, source_file, origin_file, origin_line FROM projets WHERE id_projet = ?", "10",
			[]string{"1", `=Audit "sécurité", phase 1`, "audit", "termine", "2024-01-10", "2024-02-01", "1500.00", "4", "projets.csv", "projets.csv", "2"}},
		{"SELECT id_client, titre, type_prestation, statut, date_debut, date_fin, budget, note_satisfaction, source_file, origin_file, origin_line FROM projets WHERE id_projet = ?", "11",
			[]string{"2", "-Déploiement @siège", "deploiement", "en_cours", "2024-03-01", "<NULL>", "2000.00", "<NULL>", "quarantaine_projets.csv", "projets.csv", "3"}},
		{"SELECT id_client, titre, type_prestation, statut, date_debut, date_fin, budget, note_satisfaction, source_file, origin_file, origin_line FROM projets WHERE id_projet = ?", "12",
			[]string{"1", "'Formation Excel'", "formation", "planifie", "2025-01-15", "<NULL>", "300.00", "<NULL>", "quarantaine_projets.csv", "projets.csv", "4"}},
		{"SELECT id_client, titre, source_file, origin_file, origin_line FROM projets WHERE id_projet = ?", "13",
			[]string{"1", "Assistance", "projets.csv", "<NULL>", "<NULL>"}},
		{"SELECT GROUP_CONCAT(site ORDER BY site SEPARATOR '|'), MIN(origin_file), MIN(origin_line) FROM projet_sites WHERE id_projet = ?", "11",
			[]string{"Lyon|Paris", "projets.csv", "3"}},
	}
	for _, c := range cases {
		if got := row(t, db, c.q, c.key); !slices.Equal(got, c.want) {
			t.Errorf("%s %s:\n got %q\nwant %q", c.q, c.key, got, c.want)
		}
	}
	if _, err := os.Stat(qpath); err == nil {
		t.Errorf("%s still there with no row isolated", qpath)
	}
	noTempFiles(t, out)
	noTempFiles(t, filepath.Join(out, "rejets"))
}
