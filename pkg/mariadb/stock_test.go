package mariadb_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"dmt/pkg/mariadb"
	"dmt/pkg/mariadb/mariadbtest"
)

// stockDB returns a distributech database with two products and movements across the
// turn of 2026 (which has 53 ISO weeks: 2027-01-01 is a Friday of 2026-W53).
func stockDB(t *testing.T) *mariadb.DB {
	t.Helper()
	ctx := context.Background()
	db, err := mariadb.Open(ctx, mariadbtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx, "distributech", "test"); err != nil {
		t.Fatal(err)
	}
	for i, p := range [][]any{{"P2", 5}, {"P1", 8}} {
		if _, err := db.Pool().Exec("INSERT INTO produits VALUES (?, 'Produit', 'Cat', 1.50, ?, 'r1', 'f', ?, NULL, NULL, NULL)", append(p, i+2)...); err != nil {
			t.Fatal(err)
		}
	}
	for i, m := range [][]any{
		{"P1", "2026-12-21", "inventaire", "I", 10}, // Monday of W52
		{"P1", "2026-12-27", "commande", "C1", -4},  // Sunday of W52
		{"P1", "2027-01-01", "reception", "R1", 7},  // Friday of 2026-W53
		{"P1", "2027-01-04", "commande", "C2", -20}, // Monday of 2027-W01
	} {
		if _, err := db.Pool().Exec("INSERT INTO mouvements_stock (ref_produit, date_mouvement, type_mouvement, reference, quantite, run_id, source_file, source_line)"+
			" VALUES (?, ?, ?, ?, ?, 'r1', 'f', ?)", append(m, i+2)...); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func TestStockStates(t *testing.T) {
	t.Parallel()
	db := stockDB(t)
	cases := []struct {
		at   string
		want []mariadb.StockState
	}{
		{"2027-01-04", []mariadb.StockState{
			{Ref: "P1", Nom: "Produit", Categorie: "Cat", Prix: "1.50", Initial: 10, Receptions: 7, Commandes: 24, Actuel: -7, Seuil: 8, Inventoried: true},
			{Ref: "P2", Nom: "Produit", Categorie: "Cat", Prix: "1.50", Seuil: 5},
		}},
		{"2027-01-01", []mariadb.StockState{
			{Ref: "P1", Nom: "Produit", Categorie: "Cat", Prix: "1.50", Initial: 10, Receptions: 7, Commandes: 4, Actuel: 13, Seuil: 8, Inventoried: true},
			{Ref: "P2", Nom: "Produit", Categorie: "Cat", Prix: "1.50", Seuil: 5},
		}},
		{"2026-12-21", []mariadb.StockState{ // the day of the snapshot counts
			{Ref: "P1", Nom: "Produit", Categorie: "Cat", Prix: "1.50", Initial: 10, Seuil: 8, Actuel: 10, Inventoried: true},
			{Ref: "P2", Nom: "Produit", Categorie: "Cat", Prix: "1.50", Seuil: 5},
		}},
		{"2026-12-20", []mariadb.StockState{ // the day before: no snapshot yet
			{Ref: "P1", Nom: "Produit", Categorie: "Cat", Prix: "1.50", Seuil: 8},
			{Ref: "P2", Nom: "Produit", Categorie: "Cat", Prix: "1.50", Seuil: 5},
		}},
	}
	for _, c := range cases {
		got, err := db.StockStates(context.Background(), c.at)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("StockStates(%s) = %+v, %v; want %+v", c.at, got, err, c.want)
		}
	}
}

// TestStockStatesInForce: each date gets the name, price and threshold in force at its
// end: those of the earliest history row whose valid_to is after it, else the live
// row's. A change dated D is in force on D; two changes on one day leave the day's last.
func TestStockStatesInForce(t *testing.T) {
	t.Parallel()
	db := stockDB(t)
	for _, h := range [][]any{ // P1's versions: Ancien until 12-24, Moyen 12-24 to 12-28, Bref on 12-28 only to be replaced the same day
		{"P1", "Ancien", "0.99", 3, nil, "2026-12-24"},
		{"P1", "Moyen", "1.20", 4, "2026-12-24", "2026-12-28"},
		{"P1", "Bref", "1.30", 5, "2026-12-28", "2026-12-28"},
	} {
		if _, err := db.Pool().Exec("INSERT INTO produits_historique (ref_produit, nom, categorie, prix_unitaire, seuil_alerte, valid_from, valid_to,"+
			" run_id, source_file, source_line, loaded_run_id, loaded_file, loaded_line) VALUES (?, ?, 'Cat', ?, ?, ?, ?, 'r2', 'f', 3, 'r1', 'f', 3)", h...); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		at, nom, prix string
		seuil         int64
	}{
		{"2026-12-01", "Ancien", "0.99", 3}, // before the first load: the first values known
		{"2026-12-23", "Ancien", "0.99", 3},
		{"2026-12-24", "Moyen", "1.20", 4},
		{"2026-12-27", "Moyen", "1.20", 4},
		{"2026-12-28", "Produit", "1.50", 8},
		{"2027-01-04", "Produit", "1.50", 8},
	} {
		got, err := db.StockStates(context.Background(), c.at)
		if err != nil || len(got) != 2 {
			t.Fatalf("StockStates(%s) = %+v, %v", c.at, got, err)
		}
		if got[0].Nom != c.nom || got[0].Prix != c.prix || got[0].Seuil != c.seuil || got[1].Nom != "Produit" || got[1].Prix != "1.50" {
			t.Errorf("StockStates(%s): P1 %s %s %d, P2 %s %s; want P1 %s %s %d, P2 unchanged", c.at, got[0].Nom, got[0].Prix, got[0].Seuil, got[1].Nom, got[1].Prix, c.nom, c.prix, c.seuil)
		}
	}
}

func TestFirstInventory(t *testing.T) {
	t.Parallel()
	db := stockDB(t)
	if d, ok, err := db.FirstInventory(context.Background()); d != "2026-12-21" || !ok || err != nil {
		t.Errorf("FirstInventory = %q, %v, %v; want 2026-12-21", d, ok, err)
	}
	if _, err := db.Pool().Exec("DELETE FROM mouvements_stock WHERE type_mouvement = 'inventaire'"); err != nil {
		t.Fatal(err)
	}
	if d, ok, err := db.FirstInventory(context.Background()); ok || err != nil {
		t.Errorf("FirstInventory without snapshot = %q, %v, %v; want none", d, ok, err)
	}
}

func TestStockEvolution(t *testing.T) {
	t.Parallel()
	db := stockDB(t)
	got, err := db.StockEvolution(context.Background(), "2027-01-13")
	if err != nil {
		t.Fatal(err)
	}
	want := []mariadb.StockWeek{
		{"P1", "2026-W52", 6}, {"P1", "2026-W53", 13}, {"P1", "2027-W01", -7}, {"P1", "2027-W02", -7},
		{"P2", "2026-W52", 0}, {"P2", "2026-W53", 0}, {"P2", "2027-W01", 0}, {"P2", "2027-W02", 0},
	}
	if !slices.Equal(got, want) {
		t.Errorf("StockEvolution(2027-01-13) =\n%+v\nwant\n%+v", got, want)
	}
	if got, err := db.StockEvolution(context.Background(), "2026-12-20"); err != nil || len(got) != 0 {
		t.Errorf("StockEvolution before any movement = %+v, %v; want nothing", got, err)
	}
}

func TestStockErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := mariadb.Open(ctx, mariadbtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.StockStates(ctx, "2026-01-01"); err == nil || !strings.Contains(err.Error(), "missing table: ") {
		t.Errorf("StockStates on an empty database: %v, want missing table", err)
	}
	if _, err := db.StockEvolution(ctx, "2026-01-01"); err == nil || !strings.Contains(err.Error(), "missing table: ") {
		t.Errorf("StockEvolution on an empty database: %v, want missing table", err)
	}
	if _, err := db.StockStates(ctx, "01/01/2026"); err == nil {
		t.Errorf("StockStates(01/01/2026) accepted the date")
	}
}
