package main

import (
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
// earlier row of the run in the checker's window): both give the same answers.
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
	for _, batch := range []string{"1", "1000"} {
		t.Run("batch "+batch, func(t *testing.T) {
			t.Parallel()
			dsn := mariadbtest.NewDatabase(t)
			for _, r := range []struct {
				dir  string
				want map[string]verdict
				rows int // inserted
			}{{"run1", want1, 7}, {"run2", want2, 4}} {
				if r.dir == "run2" {
					// A dry run reads the database and writes nothing: the same verdicts,
					// the run's own rows kept in a temporary table, the tables as they were.
					before := content(t, openDB(t, dsn))
					out := t.TempDir()
					res := migration(t, dsn, "-dry-run", "-out", out, "-batch", batch, filepath.Join("testdata", "lookup", r.dir))
					if res.code != 1 {
						t.Fatalf("%s dry run: exit %d, want 1: %s", r.dir, res.code, res.stderr)
					}
					checkVerdicts(t, r.dir+" dry run", verdicts(t, out), r.want)
					if content(t, openDB(t, dsn)) != before {
						t.Errorf("%s dry run: the tables changed", r.dir)
					}
				}
				out := t.TempDir()
				res := migration(t, dsn, "-out", out, "-batch", batch, filepath.Join("testdata", "lookup", r.dir))
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
