package main

import (
	"database/sql"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"dmt/pkg/mariadb/mariadbtest"
)

// TestVerdictsAcrossFilesAndRuns: duplicates, conflicts, taken values, references and
// rows already loaded, the other row being in the same file, in another file of the
// same run (a parent), or in the database since an earlier run (testdata/lookup: run1,
// then run2 in a run of its own). Every verdict and the line and file its message names
// are checked, with batches of one row (every earlier row is then in the database, or
// in a batch still in flight, when a row is judged) and with one batch per file (every
// earlier row of the run in the checker's window), and with every hash colliding (the
// Bloom filters that save look-ups then rule nothing out): all give the same answers.
// TestVerdictsAcrossWeeklyFiles has the same cases across files of one entity.
func TestVerdictsAcrossFilesAndRuns(t *testing.T) {
	t.Parallel()
	want1 := map[string]verdict{
		"clients.csv:3":      {"DUPLICATE_ROW", "identical to line 2"},
		"clients.csv:4":      {"DUPLICATE_KEY_CONFLICT", "id_client 1 already at line 2 with other content"},
		"clients.csv:5":      {"EMAIL_TAKEN", "email already used by id_client 1 at line 2"},
		"clients.csv:6":      {"BAD_EMAIL", ""},
		"projets.csv:3":      {"UNKNOWN_REFERENCE", "id_client 3 was rejected (clients line 6)"},
		"projets.csv:4":      {"UNKNOWN_REFERENCE", "id_client 99 not found in clients"},
		"affectations.csv:3": {"DUPLICATE_ROW", "identical to line 2"},
		"affectations.csv:4": {"DUPLICATE_KEY_CONFLICT", "id_projet,id_intervenant,role,date_debut already used by id_affectation 100 at line 2"},
		"affectations.csv:5": {"SITE_NOT_IN_PROJECT", "Nantes"},
		"affectations.csv:6": {"OUTSIDE_PROJECT_DATES", "2021-03-01"},
		"affectations.csv:7": {"UNKNOWN_REFERENCE", "id_projet 11 was rejected (projets line 3)"},
	}
	want2 := map[string]verdict{
		"clients.csv:2":      {"ALREADY_LOADED", ""},
		"clients.csv:3":      {"ALREADY_LOADED", ""},
		"clients.csv:4":      {"DUPLICATE_KEY_CONFLICT", "id_client 1 is already in the database with other content"},
		"clients.csv:5":      {"EMAIL_TAKEN", "email already used by id_client 5 in the database"},
		"projets.csv:3":      {"UNKNOWN_REFERENCE", "id_client 3 not found in clients"},
		"projets.csv:5":      {"ALREADY_LOADED", ""}, // its sites in another order
		"affectations.csv:2": {"ALREADY_LOADED", ""},
		"affectations.csv:3": {"DUPLICATE_KEY_CONFLICT", "id_projet,id_intervenant,role,date_debut already used by id_affectation 100 in the database"},
		"affectations.csv:4": {"SITE_NOT_IN_PROJECT", "Nantes"},
		"affectations.csv:5": {"OUTSIDE_PROJECT_DATES", "2023-04-01"},
		"affectations.csv:6": {"UNKNOWN_REFERENCE", "id_projet 99 not found in projets"},
		"affectations.csv:8": {"DUPLICATE_KEY_CONFLICT", "id_affectation 100 is already in the database with other content"},
	}
	for _, c := range []struct {
		name, batch string
		env         []string
	}{
		{"batch 1", "1", nil},
		{"batch 1000", "1000", nil},
		// Every value in one place of the Bloom filters: looked up, and compared.
		{"colliding hashes", "1000", []string{"DMT_TEST_HASH=collide"}},
	} {
		batch := c.batch
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dsn := mariadbtest.NewDatabase(t)
			migration := func(t *testing.T, dsn string, args ...string) result {
				return runProg(t, c.env, "migration", append([]string{"-dsn", dsn, "-today", "2026-11-15"}, args...)...)
			}
			// The schema without a row (a run of the files' headers): the dry run of run1
			// then reads the database, and keeps the rows of its earlier batches in its
			// temporary table alone.
			if res := migration(t, dsn, "-out", t.TempDir(), headersOnly(t, filepath.Join("testdata", "lookup", "run1"))); res.code != 0 {
				t.Fatalf("headers: exit %d: %s", res.code, res.stderr)
			}
			for _, r := range []struct {
				dir  string
				want map[string]verdict
				rows int // inserted
			}{{"run1", want1, 7}, {"run2", want2, 4}} {
				// A dry run reads the database and writes nothing: the same verdicts,
				// the run's own rows kept in a temporary table, the tables and the
				// journal as they were.
				before := persisted(t, openDB(t, dsn))
				out := t.TempDir()
				res := migration(t, dsn, "-dry-run", "-out", out, "-batch", batch, filepath.Join("testdata", "lookup", r.dir))
				if res.code != 1 {
					t.Fatalf("%s dry run: exit %d, want 1: %s", r.dir, res.code, res.stderr)
				}
				checkVerdicts(t, r.dir+" dry run", verdicts(t, out), r.want)
				if persisted(t, openDB(t, dsn)) != before {
					t.Errorf("%s dry run: the tables or the journal changed", r.dir)
				}
				if log := readLog(t, out); strings.Contains(log, "not in a temporary table") {
					t.Errorf("%s dry run: the run's rows were not kept in a temporary table: %s", r.dir, log)
				}
				out = t.TempDir()
				res = migration(t, dsn, "-out", out, "-batch", batch, filepath.Join("testdata", "lookup", r.dir))
				if res.code != 1 {
					t.Fatalf("%s: exit %d, want 1: %s", r.dir, res.code, res.stderr)
				}
				checkVerdicts(t, r.dir, verdicts(t, out), r.want)
				if rep := readReport(t, out); rep.Totals.Inserted != r.rows {
					t.Errorf("%s: %d rows inserted, want %d", r.dir, rep.Totals.Inserted, r.rows)
				}
			}
		})
	}
}

// headersOnly returns a folder holding the first line of each CSV file of dir.
func headersOnly(t *testing.T, dir string) string {
	t.Helper()
	out := t.TempDir()
	paths, _ := filepath.Glob(filepath.Join(dir, "*.csv"))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		head, _, _ := strings.Cut(string(b), "\n")
		if err := os.WriteFile(filepath.Join(out, filepath.Base(p)), []byte(head+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// persisted is what a run may write to the database: the tables' rows, and the rows of
// the journal, rejections, corrections and run lease tables.
func persisted(t *testing.T, db *sql.DB) string {
	t.Helper()
	return content(t, db) + dump(t, db,
		"SELECT run_id, status FROM journal ORDER BY run_id",
		"SELECT run_id, file, `read`, inserted, rejected, ignored, updated FROM journal_files ORDER BY run_id, file",
		"SELECT COUNT(*) FROM journal_batches", "SELECT COUNT(*) FROM rejections", "SELECT COUNT(*) FROM corrections",
		"SELECT name, run_id, released_at FROM run_lease")
}

// verdict is what a run said of a row it did not insert: its code and detail.
type verdict struct{ code, detail string }

// checkVerdicts compares what a run said of its rows with want (a detail is wanted as
// part of the one given); a row in neither was inserted.
func checkVerdicts(t *testing.T, run string, got, want map[string]verdict) {
	t.Helper()
	for _, k := range slices.Sorted(maps.Keys(want)) {
		w, g := want[k], got[k]
		if g.code != w.code || !strings.Contains(g.detail, w.detail) {
			t.Errorf("%s %s: %s %q, want %s %q", run, k, g.code, g.detail, w.code, w.detail)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[k]; !ok {
			t.Errorf("%s %s: %s %q, want it inserted", run, k, got[k].code, got[k].detail)
		}
	}
}

// logIgnored matches the log line of a row ignored, or of rows already loaded
// summarised per file.
var logIgnored = regexp.MustCompile(`action=ignored run=\S+ file=(\S+) (?:line=(\d+) )?code=(\S+) (?:rows=\d+ first_line=(\d+) last_line=(\d+) )?detail="([^"]*)"`)

// verdicts reads what a run said of each row not inserted, by "file:line": the code and
// detail of its rejected rows (rejets/), and of the rows it ignored (log.txt; rows
// already loaded are summarised by span: each line of it is counted).
func verdicts(t *testing.T, out string) map[string]verdict {
	t.Helper()
	got := map[string]verdict{}
	rejects, _ := filepath.Glob(filepath.Join(out, "rejets", "*.csv"))
	for _, path := range rejects {
		rows := readCSV(t, path)
		head := rows[0]
		col := func(name string) int { return slices.Index(head, name) }
		for _, r := range rows[1:] {
			code, detail, _ := strings.Cut(r[col("_errors")], ": ")
			code, _, _ = strings.Cut(code, " ")
			got[r[col("_file")]+":"+r[col("_line")]] = verdict{code, detail}
		}
	}
	log, err := os.ReadFile(filepath.Join(out, "log.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range logIgnored.FindAllStringSubmatch(string(log), -1) {
		if m[2] != "" {
			got[m[1]+":"+m[2]] = verdict{m[3], m[6]}
			continue
		}
		first, _ := strconv.Atoi(m[4])
		last, _ := strconv.Atoi(m[5])
		for line := first; line <= last; line++ {
			got[m[1]+":"+strconv.Itoa(line)] = verdict{m[3], ""}
		}
	}
	return got
}

// TestVerdictsAcrossWeeklyFiles: the cases of TestVerdictsAcrossFilesAndRuns across
// files of one entity (distributech's weekly order files): a duplicate, a conflict and
// an order line disagreeing with its order, the other line in the same file, in another
// weekly file of the same run, and in the database since an earlier run.
func TestVerdictsAcrossWeeklyFiles(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	gen := filepath.Join(base, "gen")
	if res := runProg(t, nil, "generate_data", "-domain", "distributech", "-seed", "5", "-today", "2026-11-15", "-regions", "2",
		"-revendeurs", "3", "-produits", "6", "-weeks", "1", "-defects", "0", "-out", gen, "-quiet"); res.code != 0 {
		t.Fatalf("generate_data: exit %d: %s", res.code, res.stderr)
	}
	// A reseller and two products the SQLite file holds, read from a generated order.
	weekly, _ := filepath.Glob(filepath.Join(gen, "commandes", "*.csv"))
	if len(weekly) == 0 {
		t.Fatal("generate_data wrote no weekly file")
	}
	first := readCSV(t, weekly[0])
	rev, p1 := first[1][1], first[1][3]
	p2 := ""
	for _, r := range first[1:] {
		if r[3] != p1 {
			p2 = r[3]
			break
		}
	}
	if p2 == "" {
		t.Fatalf("%s names one product only", weekly[0])
	}
	sqlite, err := os.ReadFile(filepath.Join(gen, "distributech.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	folder := func(name string, files map[string]string) string {
		dir := filepath.Join(base, name)
		if err := os.MkdirAll(filepath.Join(dir, "commandes"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "distributech.sqlite"), sqlite, 0o644); err != nil {
			t.Fatal(err)
		}
		for f, lines := range files {
			text := "numero_commande,id_revendeur,date_commande,ref_produit,quantite,prix_unitaire\n" +
				strings.NewReplacer("R,", rev+",", "P1,", p1+",", "P2,", p2+",").Replace(lines)
			if err := os.WriteFile(filepath.Join(dir, "commandes", f), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	const w1, w2, w3 = "commandes_2026-W47_R001.csv", "commandes_2026-W47_R002.csv", "commandes_2026-W48_R001.csv"
	run1 := folder("run1", map[string]string{
		w1: "CMD-A,R,2026-11-02,P1,5,10.00\n" +
			"CMD-A,R,2026-11-02,P1,5,10.00\n" +
			"CMD-A,R,2026-11-02,P1,6,10.00\n" +
			"CMD-A,R,2026-11-03,P2,1,10.00\n" +
			"CMD-B,R,2026-11-02,NOPE-1,1,10.00\n",
		w2: "CMD-A,R,2026-11-02,P1,5,10.00\n" +
			"CMD-A,R,2026-11-02,P1,7,10.00\n" +
			"CMD-A,R,2026-11-04,P2,1,10.00\n",
	})
	run2 := folder("run2", map[string]string{
		w3: "CMD-A,R,2026-11-02,P1,5,10.00\n" +
			"CMD-A,R,2026-11-02,P1,9,10.00\n" +
			"CMD-A,R,2026-11-05,P2,1,10.00\n" +
			"CMD-C,R,2026-11-05,P2,1,10.00\n",
	})
	key := "numero_commande+ref_produit CMD-A/" + p1
	has := "numero_commande CMD-A has id_revendeur " + rev + ", date_commande 2026-11-02 "
	want1 := map[string]verdict{
		w1 + ":3": {"DUPLICATE_ROW", "identical to line 2"},
		w1 + ":4": {"DUPLICATE_KEY_CONFLICT", key + " already at line 2 with other content"},
		w1 + ":5": {"DUPLICATE_KEY_CONFLICT", has + "at line 2"},
		w1 + ":6": {"UNKNOWN_REFERENCE", "ref_produit NOPE-1 not found in produits"},
		w2 + ":2": {"DUPLICATE_ROW", "identical to line 2 of " + w1},
		w2 + ":3": {"DUPLICATE_KEY_CONFLICT", key + " already at line 2 of " + w1 + " with other content"},
		w2 + ":4": {"DUPLICATE_KEY_CONFLICT", has + "at line 2 of " + w1},
	}
	want2 := map[string]verdict{
		w3 + ":2": {"ALREADY_LOADED", ""},
		w3 + ":3": {"DUPLICATE_KEY_CONFLICT", key + " is already in the database with other content"},
		w3 + ":4": {"DUPLICATE_KEY_CONFLICT", has + "in the database"},
	}
	for _, batch := range []string{"1", "1000"} {
		t.Run("batch "+batch, func(t *testing.T) {
			t.Parallel()
			dsn := mariadbtest.NewDatabase(t)
			for _, r := range []struct {
				dir  string
				want map[string]verdict
			}{{run1, want1}, {run2, want2}} {
				out := t.TempDir()
				res := migration(t, dsn, "-domain", "distributech", "-out", out, "-batch", batch, r.dir)
				if res.code != 1 {
					t.Fatalf("%s: exit %d, want 1: %s", r.dir, res.code, res.stderr)
				}
				checkVerdicts(t, filepath.Base(r.dir), verdicts(t, out), r.want)
			}
		})
	}
}
