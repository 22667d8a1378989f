package main

import (
	"database/sql"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/progtest"

	_ "modernc.org/sqlite"
)

// TestDistributechNoInventoryIsNotOutOfStock: a product whose snapshot is missing (its
// row was rejected) is warned about as SANS_INVENTAIRE, as analyse_stock says, and not
// counted out of stock or under its threshold; the database still passes.
func TestDistributechNoInventoryIsNotOutOfStock(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if res := progtest.Run(t, nil, nil, "generate_data", "-domain", "distributech", "-seed", "3", "-today", "2026-11-15",
		"-revendeurs", "4", "-produits", "12", "-weeks", "2", "-out", dir); res.Code != 0 {
		t.Fatalf("generate_data: exit %d: %s", res.Code, res.Stderr)
	}
	// ACC-0001's snapshot row is rejected (a negative quantity) and it has no receipt:
	// its stock is minus its orders, at most zero.
	lite, err := sql.Open("sqlite", filepath.Join(dir, "distributech.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"UPDATE stock SET quantite = -1 WHERE ref_produit = 'ACC-0001'", "DELETE FROM receptions WHERE ref_produit = 'ACC-0001'"} {
		if _, err := lite.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	lite.Close()
	dsn := mariadbtest.NewDatabase(t)
	if res := progtest.Run(t, nil, nil, "migration", "-domain", "distributech", "-today", "2026-11-15", "-dsn", dsn, "-out", t.TempDir(), dir); res.Code != 1 {
		t.Fatalf("migration: exit %d, want 1 (the snapshot row rejected): %s", res.Code, res.Stderr)
	}
	res, rep := runValidate(t, dsn, "-domain", "distributech")
	if res.Code != 0 {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	found := false
	for _, c := range rep.Checks {
		listed := slices.ContainsFunc(c.Sample, func(k string) bool { return strings.HasPrefix(k, "ACC-0001") })
		switch c.Name {
		case "products without a stock snapshot":
			found = true
			if c.Status != "WARN" || c.Count != 1 || !listed {
				t.Errorf("%s: %s %d %q, want a warning for ACC-0001 alone", c.Name, c.Status, c.Count, c.Sample)
			}
		case "products out of stock", "products under their alert threshold":
			if listed {
				t.Errorf("%s lists ACC-0001, which has no snapshot: %q", c.Name, c.Sample)
			}
		}
	}
	if !found {
		t.Errorf("no check of products without a stock snapshot")
	}
}
