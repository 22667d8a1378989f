package mariadb_test

import (
	"context"
	"testing"

	"dmt/pkg/mariadb"
	"dmt/pkg/mariadb/mariadbtest"
)

// TestDistributechSchema applies the distributech schema twice and checks that its
// constraints refuse what the contract forbids: an order line that disagrees with its
// order, a negative price, a movement of the wrong sign.
func TestDistributechSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := mariadb.Open(ctx, mariadbtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for range 2 {
		if err := db.Migrate(ctx, "distributech", "test"); err != nil {
			t.Fatalf("apply: %v", err)
		}
	}
	lin := " 'r1', 'f', 2, NULL, NULL, NULL"
	for _, q := range []string{
		"INSERT INTO regions VALUES (1, 'Bretagne'," + lin + ")",
		"INSERT INTO revendeurs VALUES (1, 'Breizh Info', 1, 'contact@breizh.fr', 'Rennes'," + lin + ")",
		"INSERT INTO produits VALUES ('SMA-0001', 'Phone', 'Smartphones', 199.90, 5," + lin + ")",
		"INSERT INTO commandes VALUES ('C1', 1, '2026-02-10'," + lin + ")",
		"INSERT INTO lignes_commande VALUES ('C1', 1, '2026-02-10', 'SMA-0001', 3, 199.90," + lin + ")",
		"INSERT INTO mouvements_stock (ref_produit, date_mouvement, type_mouvement, reference, quantite, run_id, source_file, source_line, origin_file, origin_line, row_sha) VALUES ('SMA-0001', '2026-02-10', 'commande', 'C1', -3," + lin + ")",
	} {
		if _, err := db.Pool().Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, bad := range []string{
		"INSERT INTO lignes_commande VALUES ('C1', 1, '2026-02-11', 'SMA-0001', 1, 1," + lin + ")",
		"INSERT INTO lignes_commande VALUES ('C1', 1, '2026-02-10', 'NOPE', 1, 1," + lin + ")",
		"INSERT INTO produits VALUES ('X', 'X', 'X', -1, 5," + lin + ")",
		"INSERT INTO mouvements_stock (ref_produit, date_mouvement, type_mouvement, reference, quantite, run_id, source_file, source_line, origin_file, origin_line) VALUES ('SMA-0001', '2026-02-10', 'commande', 'C2', 3," + lin + ")",
		"INSERT INTO mouvements_stock (ref_produit, date_mouvement, type_mouvement, reference, quantite, run_id, source_file, source_line, origin_file, origin_line) VALUES ('SMA-0001', '2026-02-10', 'commande', 'C1', -3," + lin + ")",
		"INSERT INTO revendeurs VALUES (2, 'Autre', 1, 'contact@breizh.fr', NULL," + lin + ")",
	} {
		if _, err := db.Pool().Exec(bad); err == nil {
			t.Errorf("MariaDB accepted %s", bad)
		}
	}
	var n int
	if err := db.Pool().Get(&n, "SELECT quantite FROM stock_actuel WHERE ref_produit = 'SMA-0001'"); err != nil || n != -3 {
		t.Errorf("stock_actuel = %d, %v; want -3", n, err)
	}
}
