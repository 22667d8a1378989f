package main

import (
	"database/sql"
	"slices"
	"strings"
	"testing"

	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/progtest"
)

// migratedData1 returns the DSN of a fresh database holding data_1 as migration loads
// it (exit 1: data_1 holds rows to reject).
func migratedData1(t *testing.T) (dsn, dir string) {
	t.Helper()
	root, err := mariadbtest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir = root + "/data_1"
	dsn = mariadbtest.NewDatabase(t)
	if res := progtest.Run(t, nil, nil, "migration", "-dsn", dsn, "-out", t.TempDir(), dir); res.Code != 1 {
		t.Fatalf("migration: exit %d: %s", res.Code, res.Stderr)
	}
	return dsn, dir
}

// tampering is a change made to a freshly migrated data_1 with plain SQL (foreign keys
// and checks off), as issue 12 (item 20) found validate passing after it. pick selects
// the key the change is made to ("" when none), put in place of KEY in the statements
// and the expected samples. fails names the checks that must fail and a text their
// sample must hold (a name with a trailing space: a second text for the same check);
// source, those that must fail as well with -source.
type tampering struct {
	name   string
	pick   string
	sql    []string
	fails  map[string]string
	warns  map[string]string
	source map[string]string
}

var tamperings = []tampering{
	{name: "client deleted, intruder claims an existing line",
		pick: "SELECT MAX(id_client) FROM clients WHERE id_client NOT IN (SELECT id_client FROM projets)",
		sql: []string{"DELETE FROM clients WHERE id_client = KEY",
			"INSERT INTO clients (id_client, nom, email, ville, run_id, source_file, source_line) " +
				"SELECT 999999, 'Intrus SA', 'intrus@example.fr', ville, run_id, source_file, source_line FROM clients ORDER BY id_client LIMIT 1"},
		fails:  map[string]string{"clients source lines claimed twice": ", 999999)", "clients rows changed outside the toolkit": "999999 (no fingerprint)"},
		source: map[string]string{"source clients.csv rows": "999999 (line ", "source clients.csv rows ": "KEY (line "}},
	// Lineages compare byte for byte: a file name with a trailing space is another
	// file, so the intruder claims no line twice (it fails on its missing fingerprint).
	{name: "client deleted, intruder names a file with a trailing space",
		pick: "SELECT MAX(id_client) FROM clients WHERE id_client NOT IN (SELECT id_client FROM projets)",
		sql: []string{"DELETE FROM clients WHERE id_client = KEY",
			"INSERT INTO clients (id_client, nom, email, ville, run_id, source_file, source_line) " +
				"SELECT 999999, 'Intrus SA', 'intrus@example.fr', ville, run_id, CONCAT(source_file, ' '), source_line FROM clients ORDER BY id_client LIMIT 1"},
		fails: map[string]string{"clients rows changed outside the toolkit": "999999 (no fingerprint)"}},
	{name: "budget * 100 for every project",
		pick:   "SELECT MIN(id_projet) FROM projets WHERE budget > 0",
		sql:    []string{"UPDATE projets SET budget = budget * 100"},
		fails:  map[string]string{"projets rows changed outside the toolkit": "KEY"},
		source: map[string]string{"source projets.csv rows": "KEY (line "}},
	{name: "jours * 10 for some affectations",
		pick:   "SELECT MIN(id_affectation) FROM affectations WHERE jours IS NOT NULL AND id_affectation % 7 = 0",
		sql:    []string{"UPDATE affectations SET jours = jours * 10 WHERE jours IS NOT NULL AND id_affectation % 7 = 0"},
		fails:  map[string]string{"affectations rows changed outside the toolkit": "KEY"},
		source: map[string]string{"source affectations.csv rows": "differs in jours"}},
	{name: "projet_sites row no affectation uses deleted",
		pick: "SELECT MIN(s.id_projet) FROM projet_sites s WHERE NOT EXISTS (SELECT 1 FROM affectations a WHERE a.id_projet = s.id_projet AND a.site = s.site)",
		sql: []string{"DELETE FROM projet_sites WHERE id_projet = KEY AND site = (SELECT MIN(site) FROM (SELECT s.site FROM projet_sites s WHERE s.id_projet = KEY " +
			"AND NOT EXISTS (SELECT 1 FROM affectations a WHERE a.id_projet = s.id_projet AND a.site = s.site)) x)"},
		fails:  map[string]string{"projets rows changed outside the toolkit": "KEY"},
		source: map[string]string{"source projets.csv rows": "differs in sites"}},
	{name: "fingerprint removed from a fresh row",
		pick:  "SELECT MIN(id_intervenant) FROM intervenants",
		sql:   []string{"UPDATE intervenants SET row_sha = NULL WHERE id_intervenant = KEY"},
		fails: map[string]string{"intervenants rows changed outside the toolkit": "KEY (no fingerprint)"}},
	{name: "rows loaded before fingerprints",
		pick: "SELECT MIN(id_intervenant) FROM intervenants",
		sql: []string{"UPDATE intervenants SET row_sha = NULL",
			"UPDATE schema_version SET applied_at = UTC_TIMESTAMP() + INTERVAL 1 DAY WHERE name LIKE '%clevity_fingerprint'"},
		warns: map[string]string{"intervenants rows without fingerprint": "KEY"}},
}

// TestTamperingFound makes each change of issue 12 item 20 to a freshly migrated data_1
// and wants validate to fail (exit 1) on exactly the checks meant for it, with the key
// in their sample, and -source to find the rows that differ from their lines (or are
// missing). Rows loaded before fingerprints are a warning, not a failure.
func TestTamperingFound(t *testing.T) {
	t.Parallel()
	for _, c := range tamperings {
		t.Run(c.name, func(t *testing.T) {
			dsn, dir := migratedData1(t)
			db, err := sql.Open("mysql", dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.SetMaxOpenConns(1) // the session settings below hold for every statement
			key := ""
			if c.pick != "" {
				var k sql.NullString
				if err := db.QueryRow(c.pick).Scan(&k); err != nil || !k.Valid {
					t.Fatalf("%s: %v (no row to tamper with)", c.pick, err)
				}
				key = k.String
			}
			for _, stmt := range append([]string{"SET SESSION foreign_key_checks = 0", "SET SESSION check_constraint_checks = 0"}, c.sql...) {
				stmt = strings.ReplaceAll(stmt, "KEY", key)
				r, err := db.Exec(stmt)
				if err != nil {
					t.Fatalf("%s: %v", stmt, err)
				}
				if n, _ := r.RowsAffected(); n == 0 && !strings.HasPrefix(stmt, "SET") {
					t.Fatalf("%s changed nothing", stmt)
				}
			}
			expect := func(args []string, want map[string]string, status string, others bool) {
				t.Helper()
				res, rep := runValidate(t, dsn, args...)
				code := 1
				if status == "WARN" {
					code = 0
				}
				if res.Code != code {
					t.Errorf("validate %v: exit %d, want %d: %s", args, res.Code, code, res.Stderr)
				}
				seen := map[string]bool{}
				for _, ch := range rep.Checks {
					text, targeted := want[ch.Name]
					text = strings.ReplaceAll(text, "KEY", key)
					if more, ok := want[ch.Name+" "]; ok && targeted && !slices.ContainsFunc(ch.Sample, func(s string) bool { return strings.Contains(s, strings.ReplaceAll(more, "KEY", key)) }) {
						t.Errorf("validate %v: %s: sample %v lacks %q", args, ch.Name, ch.Sample, strings.ReplaceAll(more, "KEY", key))
					}
					seen[ch.Name] = true
					switch {
					case targeted && ch.Status != status:
						t.Errorf("validate %v: %s: %s %v, want %s", args, ch.Name, ch.Status, ch.Sample, status)
					case targeted && !slices.ContainsFunc(ch.Sample, func(s string) bool { return strings.Contains(s, text) }):
						t.Errorf("validate %v: %s: sample %v lacks %q", args, ch.Name, ch.Sample, text)
					case !targeted && others && ch.Status != "PASS":
						t.Errorf("validate %v: %s: %s %v, but the change was not meant for it", args, ch.Name, ch.Status, ch.Sample)
					}
				}
				for name := range want {
					if !seen[strings.TrimSuffix(name, " ")] {
						t.Errorf("validate %v: no check named %q", args, name)
					}
				}
			}
			if c.warns != nil {
				expect(nil, c.warns, "WARN", true)
				return
			}
			expect(nil, c.fails, "FAIL", true)
			if c.source != nil {
				expect([]string{"-source", dir}, c.source, "FAIL", false)
			}
		})
	}
}

// TestData1Passes: the untampered data_1, with -source, passes every check, the new
// fingerprint and source line checks included.
func TestData1Passes(t *testing.T) {
	t.Parallel()
	dsn, dir := migratedData1(t)
	res, rep := runValidate(t, dsn, "-source", dir)
	if res.Code != 0 || rep.Summary.Failed != 0 {
		t.Fatalf("exit %d, summary %+v: %s", res.Code, rep.Summary, res.Stderr)
	}
	var names []string
	for _, c := range rep.Checks {
		names = append(names, c.Name)
		if c.Status != "PASS" {
			t.Errorf("%s: %s %v", c.Name, c.Status, c.Sample)
		}
	}
	for _, want := range []string{"projets rows changed outside the toolkit", "clients source lines claimed twice",
		"projet_sites source lines claimed twice", "affectations rows without fingerprint", "source projets.csv rows"} {
		if !slices.Contains(names, want) {
			t.Errorf("no check named %q", want)
		}
	}
}
