package main

import (
	"path/filepath"
	"strings"
	"testing"

	"dmt/pkg/mariadb/mariadbtest"
)

// TestRowOnlyAndReadOnlyAccounts: on an initialised database, an account that may only
// read and write rows (SELECT, INSERT, UPDATE, DELETE) runs migration, even with
// -create-db (the database exists: nothing to create), and reprise. A read-only account
// (SELECT) runs validate, which says once that the run is not recorded and exits as it
// would have; migration with it stops on one line naming the privilege it lacks.
func TestRowOnlyAndReadOnlyAccounts(t *testing.T) {
	t.Parallel()
	dsn := mariadbtest.NewDatabase(t)
	first := t.TempDir()
	if res := migration(t, dsn, "-out", first, "testdata/small"); res.code > 1 {
		t.Fatalf("migration: exit %d: %s", res.code, res.stderr)
	}
	server := mariadbtest.ServerDSN(t)
	rw := mariadbtest.NewAccount(t, server, dsn, "SELECT, INSERT, UPDATE, DELETE")
	if res := migration(t, rw, "-create-db", "-out", t.TempDir(), "testdata/small"); res.code > 1 {
		t.Errorf("migration -create-db with a row-only account: exit %d: %s", res.code, res.stderr)
	}
	rejects, _ := filepath.Glob(filepath.Join(first, "rejets", "*.csv"))
	if len(rejects) == 0 {
		t.Fatal("testdata/small gave no rejected rows to feed to reprise")
	}
	for _, f := range rejects {
		entity := strings.TrimSuffix(filepath.Base(f), ".csv")
		if res := runProg(t, nil, "reprise", "-dsn", rw, "-today", "2026-11-15", "-entity", entity, "-out", t.TempDir(), f); res.code > 1 {
			t.Errorf("reprise %s with a row-only account: exit %d: %s", filepath.Base(f), res.code, res.stderr)
		}
	}

	ro := mariadbtest.NewAccount(t, server, dsn, "SELECT")
	want := runProg(t, nil, "validate", "-dsn", dsn, "-out", t.TempDir())
	out := t.TempDir()
	res := runProg(t, nil, "validate", "-dsn", ro, "-out", out)
	if res.code != want.code || strings.Count(res.stderr, "read-only: this run is not recorded in the journal") != 1 ||
		!strings.Contains(res.stderr, "INSERT privilege on table") {
		t.Errorf("validate with a read-only account: exit %d, stderr %q; want exit %d and once read-only naming the privilege",
			res.code, res.stderr, want.code)
	}
	if reports, _ := filepath.Glob(filepath.Join(out, "rapport_validation_*.txt")); len(reports) != 1 {
		t.Errorf("validate with a read-only account wrote %d reports, want 1", len(reports))
	}
	if res := runProg(t, nil, "validate", "-dsn", ro, "-quiet", "-out", t.TempDir()); strings.Contains(res.stderr, "read-only") {
		t.Errorf("validate -quiet with a read-only account printed %q", res.stderr)
	}
	if n := count(t, openDB(t, dsn), "SELECT COUNT(*) FROM journal WHERE tool = 'validate'"); n != 1 {
		t.Errorf("%d validate runs in the journal, want only the first account's", n)
	}

	res = migration(t, ro, "-out", t.TempDir(), "testdata/small")
	lines := strings.Split(strings.TrimSpace(res.stderr), "\n")
	if res.code != 2 || len(lines) != 1 || !strings.Contains(lines[0], "lacks the") || !strings.Contains(lines[0], "privilege on table") {
		t.Errorf("migration with a read-only account: exit %d, stderr %q; want 2 and one line naming the privilege", res.code, res.stderr)
	}
}
