package main

import (
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	_ "github.com/go-sql-driver/mysql"

	"dmt/pkg/csvfile"
	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/progtest"
)

func TestMain(m *testing.M) { progtest.Main(m, "reprise", "migration", "generate_data", "validate") }

// TestManual: -h prints the manual on stdout with every flag (see progtest.CheckManual).
func TestManual(t *testing.T) {
	t.Parallel()
	progtest.CheckManual(t, "reprise", run)
}

const today = "2026-11-15"

func repoFile(t *testing.T, parts ...string) string {
	t.Helper()
	root, err := mariadbtest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(append([]string{root}, parts...)...)
}

func readCSV(t *testing.T, path string) [][]string { return progtest.ReadCSV(t, path) }

// loaded returns the DSN of a fresh database into which folder was migrated.
func loaded(t *testing.T, folder string) string {
	t.Helper()
	dsn := mariadbtest.NewDatabase(t)
	if res := progtest.Run(t, nil, nil, "migration", "-dsn", dsn, "-today", today, "-out", t.TempDir(), folder); res.Code > 1 {
		t.Fatalf("migration: %s", res.Stderr)
	}
	return dsn
}

// snapshot returns every business row of the database, lineage aside, one string per
// row keyed by table and key, so that what changed can be named.
func snapshot(t *testing.T, dsn string) map[string]string {
	t.Helper()
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := map[string]string{}
	for _, q := range []string{
		"SELECT CONCAT('clients/', id_client), CONCAT_WS('|', nom, secteur, email, telephone, ville, date_creation) FROM clients",
		"SELECT CONCAT('intervenants/', id_intervenant), CONCAT_WS('|', nom, prenom, email, agence, specialite, date_embauche) FROM intervenants",
		"SELECT CONCAT('projets/', id_projet), CONCAT_WS('|', id_client, titre, type_prestation, statut, date_debut, IFNULL(date_fin, ''), IFNULL(budget, ''), IFNULL(note_satisfaction, '')) FROM projets",
		"SELECT CONCAT('projet_sites/', id_projet, '/', site), '' FROM projet_sites",
		"SELECT CONCAT('affectations/', id_affectation), CONCAT_WS('|', id_projet, id_intervenant, role, site, date_debut, date_fin, jours) FROM affectations",
	} {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var k, v string
			if err := rows.Scan(&k, &v); err != nil {
				t.Fatal(err)
			}
			out[k] = v
		}
		rows.Close()
	}
	return out
}

type manifestRow struct {
	line                            int
	id, column, code, expect, value string
}

func readManifest(t *testing.T, path string) []manifestRow {
	var out []manifestRow
	for _, r := range readCSV(t, path)[1:] {
		line, _ := strconv.Atoi(r[0])
		out = append(out, manifestRow{line, r[1], r[2], r[3], r[4], r[6]})
	}
	return out
}

// checkAgainstManifest runs reprise on a corrupt file and checks the database and the
// quarantine against the manifest, and that nothing else in the database changed.
func checkAgainstManifest(t *testing.T, folder, corrupt, manifest string) {
	dsn := loaded(t, folder)
	before := snapshot(t, dsn)
	out := t.TempDir()
	res := progtest.Run(t, nil, nil, "reprise", "-dsn", dsn, "-today", today, "-out", out, corrupt)
	if res.Code != 1 {
		t.Fatalf("exit %d, want 1 (rows isolated): %s", res.Code, res.Stderr)
	}
	after := snapshot(t, dsn)
	rows := readCSV(t, corrupt)
	quarantine := readCSV(t, filepath.Join(out, "quarantaine_projets.csv"))
	qHeader := quarantine[0]
	lineCol, errCol := slices.Index(qHeader, "_line"), slices.Index(qHeader, "_errors")
	isolated := map[string]string{}
	for _, q := range quarantine[1:] {
		isolated[q[lineCol]] = q[errCol]
	}
	header := rows[0]
	corrected, want := map[string]bool{}, map[string]int{}
	for _, m := range readManifest(t, manifest) {
		want[m.expect]++
		line := strconv.Itoa(m.line)
		key := "projets/" + m.id
		switch m.expect {
		case "corrected":
			corrected[key] = true
			got, ok := after[key]
			if !ok {
				t.Errorf("line %d (%s %s): not re-injected; isolated as %q", m.line, m.column, m.code, isolated[line])
				continue
			}
			if m.column == "sites" {
				for _, s := range strings.Split(m.value, "|") {
					if _, ok := after["projet_sites/"+m.id+"/"+s]; !ok {
						t.Errorf("line %d: site %s of %s missing", m.line, s, m.id)
					}
				}
			} else if i := slices.Index(header, m.column); !slices.Contains(strings.Split(got, "|"), m.value) {
				t.Errorf("line %d: %s = %q stored as %q, want %q", m.line, header[i], rows[m.line-1][i], got, m.value)
			}
		case "isolated":
			if !strings.Contains(isolated[line], m.code) {
				t.Errorf("line %d: isolated with %q, want %s", m.line, isolated[line], m.code)
			}
		case "ignored":
			if _, ok := isolated[line]; ok || after[key] != before[key] {
				t.Errorf("line %d: identical copy of %s was not simply ignored", m.line, key)
			}
		}
	}
	if len(isolated) != want["isolated"] {
		t.Errorf("%d rows isolated, manifest says %d", len(isolated), want["isolated"])
	}
	for k, v := range after {
		if before[k] != v && !corrected[k] && !strings.HasPrefix(k, "projet_sites/") {
			t.Errorf("%s changed or appeared: %q -> %q", k, before[k], v)
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			t.Errorf("%s disappeared", k)
		}
	}
	if !strings.Contains(res.Stderr, "re-injected "+strconv.Itoa(want["corrected"])+", isolated "+strconv.Itoa(want["isolated"])+", ignored "+strconv.Itoa(want["ignored"])) {
		t.Errorf("summary %q does not match the manifest %v", res.Stderr, want)
	}
	log, _ := os.ReadFile(filepath.Join(out, "log_reprise.txt"))
	for _, action := range []string{"action=corrected", "before=", "after=", "rule=", "action=isolated", "action=re-injected", "action=ignored"} {
		if !strings.Contains(string(log), action) {
			t.Errorf("log_reprise.txt lacks %q", action)
		}
	}
}

func TestData1Corrupt(t *testing.T) {
	t.Parallel()
	checkAgainstManifest(t, repoFile(t, "data_1"), repoFile(t, "data_1", "projets_corrompus.csv"), repoFile(t, "data_1", "projets_corrompus_manifest.csv"))
}

func TestGeneratedCorrupt(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if res := progtest.Run(t, nil, nil, "generate_data", "-seed", "77", "-today", today, "-clients", "80", "-intervenants", "20",
		"-projets", "300", "-affectations", "600", "-corrupt", "150", "-out", dir); res.Code != 0 {
		t.Fatal(res.Stderr)
	}
	checkAgainstManifest(t, dir, filepath.Join(dir, "projets_corrompus.csv"), filepath.Join(dir, "projets_corrompus_manifest.csv"))
}

// TestQuarantineRoundTrip fixes the quarantine file as a person would and feeds it back.
func TestQuarantineRoundTrip(t *testing.T) {
	t.Parallel()
	dsn := loaded(t, repoFile(t, "data_1"))
	out := t.TempDir()
	if res := progtest.Run(t, nil, nil, "reprise", "-dsn", dsn, "-today", today, "-out", out, repoFile(t, "data_1", "projets_corrompus.csv")); res.Code != 1 {
		t.Fatal(res.Stderr)
	}
	q := readCSV(t, filepath.Join(out, "quarantaine_projets.csv"))
	header := q[0]
	col := func(name string) int { return slices.Index(header, name) }
	var fixed []string
	for _, r := range q[1:] {
		switch errs := r[col("_errors")]; {
		case strings.HasPrefix(errs, "MISSING_REQUIRED titre"):
			r[col("titre")] = "Projet repris à la main"
		case strings.HasPrefix(errs, "OUT_OF_RANGE budget"):
			r[col("budget")] = "1500"
		case strings.HasPrefix(errs, "END_DATE_REQUIRED"):
			r[col("statut")] = "en cours"
			r[col("note_satisfaction")] = ""
		default:
			continue
		}
		fixed = append(fixed, r[col("id_projet")])
	}
	if len(fixed) < 10 {
		t.Fatalf("only %d rows to fix", len(fixed))
	}
	var b strings.Builder
	w := csvfile.NewWriter(&b, csvfile.WriterOptions{})
	for _, r := range q {
		w.Write(r)
	}
	w.Close()
	fixedFile := filepath.Join(t.TempDir(), "quarantaine_corrigee.csv")
	os.WriteFile(fixedFile, []byte(b.String()), 0o644)
	out2 := t.TempDir()
	// A name of one's own tells no entity: -entity says it.
	res := progtest.Run(t, nil, nil, "reprise", "-dsn", dsn, "-today", today, "-entity", "projets", "-out", out2, fixedFile)
	if res.Code != 1 || !strings.Contains(res.Stderr, "re-injected "+strconv.Itoa(len(fixed))+",") {
		t.Fatalf("exit %d: %s; want %d re-injected", res.Code, res.Stderr, len(fixed))
	}
	after := snapshot(t, dsn)
	for _, id := range fixed {
		if _, ok := after["projets/"+id]; !ok {
			t.Errorf("fixed projet %s not in the database", id)
		}
	}
	q2 := readCSV(t, filepath.Join(out2, "quarantaine_projets.csv"))
	if len(q2) != len(q)-len(fixed) || !slices.Equal(q2[0], header) {
		t.Errorf("second quarantine: %d rows with header %q, want %d with %q", len(q2), q2[0], len(q)-len(fixed), header)
	}
}

// TestPipeFromMigration runs the pipe of the README through a shell.
func TestPipeFromMigration(t *testing.T) {
	t.Parallel()
	dsn := mariadbtest.NewDatabase(t)
	data := repoFile(t, "data_1")
	out := t.TempDir()
	if res := progtest.Run(t, nil, nil, "migration", "-dsn", dsn, "-today", today, "-out", out, filepath.Join(data, "clients.csv")); res.Code > 1 {
		t.Fatal(res.Stderr)
	}
	before := len(snapshot(t, dsn))
	script := progtest.Path("migration") + " -today " + today + " -out " + out + " -entity projets -rejects - " + filepath.Join(data, "projets.csv") +
		" | " + progtest.Path("reprise") + " -today " + today + " -out " + out + " -entity projets -"
	cmd := exec.Command("bash", "-o", "pipefail", "-c", script)
	cmd.Env = append(os.Environ(), "MARIADB_DSN="+dsn)
	stderr, _ := cmd.CombinedOutput()
	if cmd.ProcessState.ExitCode() != 1 {
		t.Fatalf("pipe: exit %d: %s", cmd.ProcessState.ExitCode(), stderr)
	}
	log, _ := os.ReadFile(filepath.Join(out, "log_reprise.txt"))
	if !strings.Contains(string(log), "action=corrected") || !strings.Contains(string(log), "action=re-injected") {
		t.Errorf("reprise corrected nothing from migration's rejects:\n%s", stderr)
	}
	if after := len(snapshot(t, dsn)); after <= before {
		t.Errorf("rows before %d, after %d", before, after)
	}
}

func TestDryRun(t *testing.T) {
	t.Parallel()
	dsn := loaded(t, repoFile(t, "data_1"))
	before := snapshot(t, dsn)
	dry, wet := t.TempDir(), t.TempDir()
	input := repoFile(t, "data_1", "projets_corrompus.csv")
	res := progtest.Run(t, nil, nil, "reprise", "-dsn", dsn, "-today", today, "-dry-run", "-out", dry, input)
	if res.Code != 1 {
		t.Fatalf("dry run: exit %d: %s", res.Code, res.Stderr)
	}
	if after := snapshot(t, dsn); len(after) != len(before) {
		t.Fatalf("dry run changed the database: %d rows, was %d", len(after), len(before))
	}
	progtest.Run(t, nil, nil, "reprise", "-dsn", dsn, "-today", today, "-out", wet, input)
	a, _ := os.ReadFile(filepath.Join(dry, "quarantaine_projets.csv"))
	b, _ := os.ReadFile(filepath.Join(wet, "quarantaine_projets.csv"))
	if len(a) == 0 || string(a) != string(b) {
		t.Errorf("dry run quarantine differs from the real one")
	}
	actions := func(dir string) string {
		data, _ := os.ReadFile(filepath.Join(dir, "log_reprise.txt"))
		var keep []string
		for _, l := range strings.Split(string(data), "\n") {
			if i := strings.Index(l, "action="); i >= 0 && !strings.Contains(l, "action=run") && !strings.Contains(l, "action=end") {
				l = l[i:]
				l = strings.Join(slices.DeleteFunc(strings.Fields(l), func(f string) bool { return strings.HasPrefix(f, "run=") }), " ")
				keep = append(keep, l)
			}
		}
		return strings.Join(keep, "\n")
	}
	if actions(dry) != actions(wet) {
		t.Errorf("dry run log differs from the real one")
	}
}

func TestBeyondRepair(t *testing.T) {
	t.Parallel()
	dsn := loaded(t, repoFile(t, "data_1"))
	before := snapshot(t, dsn)
	dir := t.TempDir()
	garbage := make([]byte, 4096)
	for i := range garbage {
		garbage[i] = byte(i * 7919 % 251)
	}
	cases := map[string][]byte{
		"garbage.csv": garbage,
		"header.csv":  []byte("foo;bar;baz\n1;2;3\n"),
		"empty.csv":   nil,
	}
	for name, data := range cases {
		path := filepath.Join(dir, name)
		os.WriteFile(path, data, 0o644)
		res := progtest.Run(t, nil, nil, "reprise", "-dsn", dsn, "-out", t.TempDir(), path)
		line := strings.TrimSpace(res.Stderr)
		if res.Code != 2 || line == "" || strings.Contains(line, "\n") || strings.Contains(line, "panic") {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 and one line", name, res.Code, res.Stderr)
		}
	}
	if after := snapshot(t, dsn); len(after) != len(before) {
		t.Errorf("database changed")
	}
}

// TestUpdate feeds the conflicts back with -update: the loaded rows are replaced, their
// old values logged, and validate still finds the database whole.
func TestUpdate(t *testing.T) {
	t.Parallel()
	dsn := loaded(t, repoFile(t, "data_1"))
	out := t.TempDir()
	progtest.Run(t, nil, nil, "reprise", "-dsn", dsn, "-today", today, "-out", out, repoFile(t, "data_1", "projets_corrompus.csv"))
	q := readCSV(t, filepath.Join(out, "quarantaine_projets.csv"))
	header := q[0]
	conflicts := [][]string{header}
	for _, r := range q[1:] {
		if strings.HasPrefix(r[slices.Index(header, "_errors")], "DUPLICATE_KEY_CONFLICT") {
			conflicts = append(conflicts, r)
		}
	}
	if len(conflicts) < 2 {
		t.Fatalf("no conflicts to update")
	}
	var b strings.Builder
	w := csvfile.NewWriter(&b, csvfile.WriterOptions{})
	for _, r := range conflicts {
		w.Write(r)
	}
	w.Close()
	in := filepath.Join(t.TempDir(), "conflicts.csv")
	os.WriteFile(in, []byte(b.String()), 0o644)
	before := snapshot(t, dsn)

	out2 := t.TempDir()
	res := progtest.Run(t, nil, nil, "reprise", "-dsn", dsn, "-today", today, "-update", "-entity", "projets", "-out", out2, in)
	if res.Code != 0 || !strings.Contains(res.Stderr, "updated "+strconv.Itoa(len(conflicts)-1)+",") {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	after := snapshot(t, dsn)
	titre := slices.Index(header, "titre")
	for _, r := range conflicts[1:] {
		key := "projets/" + r[0]
		if !strings.Contains(after[key], r[titre]) || before[key] == after[key] {
			t.Errorf("%s not updated: %q -> %q", key, before[key], after[key])
		}
	}
	if len(after) != len(before) {
		t.Errorf("rows %d -> %d: an update added or removed rows", len(before), len(after))
	}
	log, _ := os.ReadFile(filepath.Join(out2, "log_reprise.txt"))
	if !strings.Contains(string(log), "action=updated") || !strings.Contains(string(log), "(bis)") || !strings.Contains(string(log), "titre") {
		t.Errorf("log lacks the old and new values:\n%s", log)
	}
	vres := progtest.Run(t, nil, nil, "validate", "-dsn", dsn, "-out", t.TempDir())
	if vres.Code != 0 {
		t.Errorf("validate after -update: exit %d: %s", vres.Code, vres.Stderr)
	}
}
