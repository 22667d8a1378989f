package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"dmt/pkg/progtest"
)

// TestEntityFromFileName: reprise takes the entity from the file's name as migration
// does, including the names the toolkit writes (rejets/<file>, quarantaine_<entity>),
// so that migration's rejects are fed back without -entity. No database: -dry-run needs
// none, as migration's.
func TestEntityFromFileName(t *testing.T) {
	t.Parallel()
	noDSN := []string{"MARIADB_DSN="}
	dir := t.TempDir()
	rejets := filepath.Join(dir, "rejets")
	os.MkdirAll(rejets, 0o755)
	clients := filepath.Join(rejets, "clients.csv")
	os.WriteFile(clients, []byte("id_client,nom,email,date_creation,_file,_line,_errors\n"+
		"7,Dupont SA,mailto:contact@dupont.fr,2020-01-15,clients.csv,8,BAD_EMAIL\n"+
		"8,,x@y.fr,2020-01-15,clients.csv,9,MISSING_REQUIRED\n"), 0o644)
	stock := filepath.Join(dir, "stock.csv")
	os.WriteFile(stock, []byte("ref_produit,quantite,date_inventaire\nSMA-0001,12,2026-11-01\n"), 0o644)

	out := filepath.Join(dir, "out")
	res := progtest.Run(t, noDSN, nil, "reprise", "-dry-run", "-today", today, "-out", out, clients)
	if res.Code != 1 || strings.Contains(res.Stderr, "missing required columns") || strings.Contains(res.Stderr, "no database") {
		t.Fatalf("reprise rejets/clients.csv: exit %d, stderr %q; want exit 1 (one row isolated) as clients", res.Code, res.Stderr)
	}
	q := readCSV(t, filepath.Join(out, "quarantaine_clients.csv"))
	if len(q) != 2 || q[1][0] != "8" {
		t.Errorf("quarantaine_clients.csv: %q, want the client without a name", q)
	}
	var rep struct {
		Status string `json:"status"`
		DryRun bool   `json:"dry_run"`
		Files  []struct {
			Entity string `json:"entity"`
		} `json:"files"`
	}
	data, err := os.ReadFile(filepath.Join(out, "rapport_correction.json"))
	if err != nil || json.Unmarshal(data, &rep) != nil || len(rep.Files) != 1 || rep.Files[0].Entity != "clients" || !rep.DryRun {
		t.Errorf("rapport_correction.json: %+v (%v), want one clients file, dry run", rep, err)
	}

	// Fed back, the quarantine is still clients.
	res = progtest.Run(t, noDSN, nil, "reprise", "-dry-run", "-today", today, "-out", out, filepath.Join(out, "quarantaine_clients.csv"))
	if res.Code != 1 || !strings.Contains(res.Stderr, "isolated 1") {
		t.Errorf("reprise quarantaine_clients.csv: exit %d, stderr %q; want the row isolated again", res.Code, res.Stderr)
	}

	// distributech has no projets: the entity comes from the name there too.
	// (Without a database its product, in no file of the run, cannot be looked up: its
	// reference is not judged, and said so.)
	res = progtest.Run(t, noDSN, nil, "reprise", "-dry-run", "-domain", "distributech", "-today", today, "-out", out, stock)
	if res.Code != 0 || !strings.Contains(res.Stderr, "re-injected 1") || !strings.Contains(res.Stderr, "1 rows refer to rows outside the run: references not judged") {
		t.Errorf("reprise -domain distributech stock.csv: exit %d, stderr %q; want the row taken as stock, its reference not judged", res.Code, res.Stderr)
	}

	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown entity", []string{"-entity", "projet", clients}, `unknown entity "projet" for domain clevity (valid: clients, intervenants, projets, affectations)`},
		{"stdin without -entity", []string{"-"}, "reading stdin needs -entity (clients, intervenants, projets, affectations)"},
		{"unknown name", []string{filepath.Join(dir, "notes.csv")}, "cannot tell its entity from its name; give -entity (clients"},
	} {
		os.WriteFile(filepath.Join(dir, "notes.csv"), []byte("a,b\n1,2\n"), 0o644)
		res := progtest.Run(t, noDSN, []byte("id_projet\n1\n"), "reprise", append([]string{"-dry-run", "-out", out}, c.args...)...)
		if res.Code != 2 || !strings.Contains(res.Stderr, c.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 with %q", c.name, res.Code, res.Stderr, c.want)
		}
	}
}

// TestJSONOutputs reads every JSON output of the toolkit as a script would, with a
// plain decoder: every key is snake_case (the keys of by_code are error codes and those
// of volumes table names: data, not keys), each document has an overall "status", and
// the documented keys are there (validate's summary as .summary.failed, for jq).
func TestJSONOutputs(t *testing.T) {
	t.Parallel()
	dsn := loaded(t, repoFile(t, "data_1"))
	out := t.TempDir()
	if res := progtest.Run(t, nil, nil, "migration", "-dsn", dsn, "-today", today, "-out", out, repoFile(t, "data_1")); res.Code != 0 {
		t.Fatalf("migration again: exit %d: %s", res.Code, res.Stderr)
	}
	if res := progtest.Run(t, nil, nil, "reprise", "-dsn", dsn, "-today", today, "-out", out, repoFile(t, "data_1", "projets_corrompus.csv")); res.Code != 1 {
		t.Fatalf("reprise: exit %d: %s", res.Code, res.Stderr)
	}
	val := progtest.Run(t, nil, nil, "validate", "-dsn", dsn, "-today", today, "-out", out, "-json", "-")
	if val.Code > 1 {
		t.Fatalf("validate: exit %d: %s", val.Code, val.Stderr)
	}
	mig, _ := os.ReadFile(filepath.Join(out, "rapport_reprise.json"))
	rep, _ := os.ReadFile(filepath.Join(out, "rapport_correction.json"))
	runKeys := []string{"status", "run_id", "tool", "dry_run", "started", "duration_seconds", "files", "files_skipped", "totals"}
	fileKeys := []string{"file", "entity", "state", "read", "inserted", "rejected", "ignored", "still_rejected", "by_code"}
	for _, c := range []struct {
		name       string
		data       []byte
		keys       []string
		listKey    string
		itemKeys   []string
		statusIsIn []string
	}{
		{"rapport_reprise.json", mig, runKeys, "files", fileKeys, []string{"complete"}},
		{"rapport_correction.json", rep, runKeys, "files", fileKeys, []string{"complete"}},
		{"validate -json", []byte(val.Stdout), []string{"status", "run_id", "domain", "database", "started", "today", "duration_seconds", "volumes", "checks", "summary"},
			"checks", []string{"name", "kind", "status", "count", "sample", "description"}, []string{"PASS", "WARN", "FAIL"}},
	} {
		var doc map[string]any
		dec := json.NewDecoder(strings.NewReader(string(c.data)))
		if err := dec.Decode(&doc); err != nil {
			t.Errorf("%s: %v:\n%s", c.name, err, c.data)
			continue
		}
		for _, k := range badKeys(doc, "") {
			t.Errorf("%s: key %s is not snake_case", c.name, k)
		}
		for _, k := range c.keys {
			if _, ok := doc[k]; !ok {
				t.Errorf("%s: no key %q", c.name, k)
			}
		}
		if s, _ := doc["status"].(string); !slices.Contains(c.statusIsIn, s) {
			t.Errorf("%s: status %q, want one of %v", c.name, s, c.statusIsIn)
		}
		items, _ := doc[c.listKey].([]any)
		if len(items) == 0 {
			t.Errorf("%s: no %s", c.name, c.listKey)
			continue
		}
		for _, k := range c.itemKeys {
			if _, ok := items[0].(map[string]any)[k]; !ok {
				t.Errorf("%s: %s[0] has no key %q", c.name, c.listKey, k)
			}
		}
	}
	var v struct {
		Summary struct {
			Checks   *int `json:"checks"`
			Passed   *int `json:"passed"`
			Failed   *int `json:"failed"`
			Warnings *int `json:"warnings"`
		} `json:"summary"`
	}
	if json.Unmarshal([]byte(val.Stdout), &v) != nil || v.Summary.Failed == nil || v.Summary.Checks == nil {
		t.Errorf("validate -json: .summary.failed missing: %s", val.Stdout)
	}
}

// badKeys returns the keys of v, at any depth, that are not snake_case; the keys of
// by_code (error codes) and volumes (table names) are data.
func badKeys(v any, path string) []string {
	var bad []string
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if !snake(k) {
				bad = append(bad, path+"."+k)
			}
			if k == "by_code" || k == "volumes" {
				continue
			}
			bad = append(bad, badKeys(e, path+"."+k)...)
		}
	case []any:
		for _, e := range x {
			bad = append(bad, badKeys(e, path+"[]")...)
		}
	}
	return bad
}

func snake(k string) bool {
	if k == "" || k[0] < 'a' || k[0] > 'z' {
		return false
	}
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}
