package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/progtest"
)

// sourceStatuses maps each "source ..." check of a report to its status.
func sourceStatuses(rep jsonReport) map[string]string {
	m := map[string]string{}
	for _, c := range rep.Checks {
		if strings.HasPrefix(c.Name, "source ") {
			m[strings.TrimPrefix(c.Name, "source ")] = c.Status
		}
	}
	return m
}

// A folder holding none of the files migration reads fails, naming each file, instead
// of passing with nothing checked.
func TestSourceFolderWithoutTheFiles(t *testing.T) {
	t.Parallel()
	dsn := migrated(t)
	empty := t.TempDir()
	os.WriteFile(filepath.Join(empty, "autre.csv"), []byte("a,b\n1,2\n"), 0o644)
	res, rep := runValidate(t, dsn, "-source", empty)
	if res.Code != 1 {
		t.Errorf("exit %d (%s), want 1", res.Code, res.Stderr)
	}
	got := sourceStatuses(rep)
	for _, f := range []string{"clients.csv", "intervenants.csv", "projets.csv", "affectations.csv"} {
		if got[f] != "FAIL" {
			t.Errorf("source %s: %q, want FAIL (missing)", f, got[f])
		}
	}
	if !strings.Contains(res.Stderr, "source clients.csv") {
		t.Errorf("stderr %q does not name the missing file", res.Stderr)
	}
}

// For distributech, -source reads the folder as migration does: each SQLite table and
// each weekly file is checked against the journal; a week not loaded yet fails, and a
// folder without the SQLite file fails naming it.
func TestSourceDistributech(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	res := progtest.Run(t, nil, nil, "generate_data", "-domain", "distributech", "-seed", "4", "-today", "2026-11-15",
		"-revendeurs", "8", "-produits", "30", "-weeks", "2", "-out", dir)
	if res.Code != 0 {
		t.Fatalf("generate_data: %s", res.Stderr)
	}
	weeks, _ := filepath.Glob(filepath.Join(dir, "commandes", "*.csv"))
	if len(weeks) < 2 {
		t.Fatalf("want weekly files, have %v", weeks)
	}
	// The last weekly file arrives after the load.
	late := weeks[len(weeks)-1]
	held := filepath.Join(t.TempDir(), filepath.Base(late))
	if err := os.Rename(late, held); err != nil {
		t.Fatal(err)
	}
	dsn := mariadbtest.NewDatabase(t)
	if res := progtest.Run(t, nil, nil, "migration", "-dsn", dsn, "-domain", "distributech", "-today", "2026-11-15", "-out", t.TempDir(), dir); res.Code != 0 {
		t.Fatalf("migration: exit %d: %s", res.Code, res.Stderr)
	}

	res, rep := runValidate(t, dsn, "-domain", "distributech", "-source", dir)
	got := sourceStatuses(rep)
	if res.Code != 0 {
		t.Errorf("loaded folder: exit %d: %s", res.Code, res.Stderr)
	}
	want := []string{"distributech.sqlite:regions", "distributech.sqlite:revendeurs", "distributech.sqlite:produits",
		"distributech.sqlite:stock", "distributech.sqlite:receptions", filepath.Base(weeks[0])}
	for _, w := range want {
		if got[w] != "PASS" {
			t.Errorf("source %s: %q, want PASS (all: %v)", w, got[w], got)
		}
	}
	n := 0
	for name, status := range got {
		if strings.HasSuffix(name, " rows") {
			continue // each source's rows compared with its lines: one more check per source
		}
		n++
		if got[name+" rows"] != "PASS" || status != "PASS" {
			t.Errorf("source %s: %s, its rows: %q; want both PASS", name, status, got[name+" rows"])
		}
	}
	if n != len(want)-1+len(weeks)-1 {
		t.Errorf("%d sources checked, want %d tables and %d weekly files: %v", n, 5, len(weeks)-1, got)
	}

	os.Rename(held, late)
	res, rep = runValidate(t, dsn, "-domain", "distributech", "-source", dir)
	if got := sourceStatuses(rep); res.Code != 1 || got[filepath.Base(late)] != "FAIL" {
		t.Errorf("a week not loaded: exit %d, %s: %q; want 1 and FAIL", res.Code, filepath.Base(late), got[filepath.Base(late)])
	}

	os.Rename(filepath.Join(dir, "distributech.sqlite"), filepath.Join(t.TempDir(), "elsewhere.sqlite"))
	res, rep = runValidate(t, dsn, "-domain", "distributech", "-source", dir)
	got = sourceStatuses(rep)
	if res.Code != 1 || got["distributech.sqlite"] != "FAIL" {
		t.Errorf("without the SQLite file: exit %d, %v; want 1 and distributech.sqlite FAIL", res.Code, got)
	}
	for k := range got {
		if strings.HasPrefix(k, "distributech.sqlite:") {
			t.Errorf("table %s checked without its file", k)
		}
	}
}
