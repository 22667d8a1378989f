package domain

import (
	"strings"

	"dmt/pkg/rules"
)

// Distributech returns the distributech domain of the contract: regions, resellers,
// products, the stock snapshot and receipts from the wholesaler's SQLite file, then the
// order lines of the resellers' weekly CSV files, in load order. Loading a snapshot, a
// receipt or an order line writes its stock movement in the same transaction.
func Distributech() *Domain {
	count := func(name string, min *rules.Bound) rules.Field {
		return rules.Field{Name: name, Kind: rules.Integer, Required: true, Min: min, Max: rules.AtMost(2147483647)}
	}
	price := rules.Field{Name: "prix_unitaire", Kind: rules.Decimal, Required: true, Precision: 10, Scale: 2, Min: rules.AtLeast(0)}

	// movement is the AfterLoad SQL that writes the stock movement of each row of a
	// batch: from is the entity's table, the expressions give the movement's columns
	// (those of movementColumns), and its row fingerprint is computed from the same
	// expressions, as validate recomputes it from the stored columns.
	movement := func(from string, exprs ...string) string {
		return "INSERT INTO mouvements_stock (" + strings.Join(movementColumns, ", ") +
			", run_id, source_file, source_line, origin_file, origin_line, " + FingerprintColumn + ") SELECT " + strings.Join(exprs, ", ") +
			", run_id, source_file, source_line, origin_file, origin_line, " + FingerprintSQL(exprs) +
			" FROM " + from + " WHERE run_id = ? AND source_file = ? AND source_line BETWEEN ? AND ?"
	}

	// Regions, resellers and products are reference data: the wholesaler renames,
	// reprices and moves them in the SQLite file, and each change replaces the loaded row,
	// its earlier values kept in <table>_historique.
	regions := &Entity{Name: "regions", SQLiteTable: "regions", Key: []string{"id_region"}, History: "regions_historique",
		Fields: []rules.Field{idField("id_region"), textField("nom", 80, true)}}
	revendeurs := &Entity{Name: "revendeurs", SQLiteTable: "revendeurs", Key: []string{"id_revendeur"}, History: "revendeurs_historique",
		Fields: []rules.Field{idField("id_revendeur"), textField("nom", 150, true), refField("id_region"),
			emailField(), textField("ville", 80, false)},
		Uniques: []Unique{{Name: "email", Columns: []string{"email"}, Code: rules.EmailTaken}},
		Refs:    []Ref{{Column: "id_region", Parent: "regions"}}}
	produits := &Entity{Name: "produits", SQLiteTable: "produits", Key: []string{"ref_produit"}, History: "produits_historique",
		Fields: []rules.Field{textField("ref_produit", 40, true), textField("nom", 200, true), textField("categorie", 80, true), price,
			count("seuil_alerte", rules.AtLeast(0))}}
	stock := &Entity{Name: "stock", SQLiteTable: "stock", Key: []string{"ref_produit"},
		Fields:    []rules.Field{textField("ref_produit", 40, true), count("quantite", rules.AtLeast(0)), dateField(true, "date_inventaire")},
		Refs:      []Ref{{Column: "ref_produit", Parent: "produits"}},
		AfterLoad: movement("stock", "ref_produit", "date_inventaire", "'inventaire'", "DATE_FORMAT(date_inventaire, '%Y-%m-%d')", "quantite")}
	receptions := &Entity{Name: "receptions", SQLiteTable: "receptions", Key: []string{"id_reception"},
		Fields:    []rules.Field{idField("id_reception"), textField("ref_produit", 40, true), count("quantite", rules.MoreThan(0)), dateField(true, "date_reception")},
		Refs:      []Ref{{Column: "ref_produit", Parent: "produits"}},
		AfterLoad: movement("receptions", "ref_produit", "date_reception", "'reception'", "CAST(id_reception AS CHAR)", "quantite")}
	lignes := &Entity{Name: "lignes_commande", Pattern: "commandes/*.csv", Key: []string{"numero_commande", "ref_produit"},
		Fields: []rules.Field{textField("numero_commande", 40, true), refField("id_revendeur"), dateField(true, "date_commande"),
			textField("ref_produit", 40, true), count("quantite", rules.MoreThan(0)), price},
		Refs:       []Ref{{Column: "id_revendeur", Parent: "revendeurs"}, {Column: "ref_produit", Parent: "produits"}},
		Consistent: []Consistency{{Key: "numero_commande", Columns: []string{"id_revendeur", "date_commande"}}},
		Headers:    []Header{{Table: "commandes", Columns: []string{"numero_commande", "id_revendeur", "date_commande"}}},
		AfterLoad:  movement("lignes_commande", "ref_produit", "date_commande", "'commande'", "numero_commande", "-quantite")}
	return &Domain{Name: "distributech", SchemaFile: "schema_distributech.sql", SQLiteFile: "distributech.sqlite",
		Entities: []*Entity{regions, revendeurs, produits, stock, receptions, lignes}, Checks: stockChecks,
		Derived: []Derived{{Table: "mouvements_stock", Key: []string{"type_mouvement", "reference", "ref_produit"}, Columns: movementColumns}}}
}

// movementColumns are the columns of a stock movement that its sources give, in the
// order its fingerprint covers them.
var movementColumns = []string{"ref_produit", "date_mouvement", "type_mouvement", "reference", "quantite"}

// sources sums, per product, what the stock tables say: snapshot, receipts, orders.
const sources = `(SELECT p.ref_produit,
  COALESCE((SELECT SUM(s.quantite) FROM stock s WHERE s.ref_produit = p.ref_produit), 0) AS inventaire,
  COALESCE((SELECT SUM(r.quantite) FROM receptions r WHERE r.ref_produit = p.ref_produit), 0) AS reception,
  COALESCE((SELECT SUM(l.quantite) FROM lignes_commande l WHERE l.ref_produit = p.ref_produit), 0) AS commande
  FROM produits p) src`

// moves sums, per product, the movement history by type.
const moves = `(SELECT ref_produit,
  SUM(CASE WHEN type_mouvement = 'inventaire' THEN quantite ELSE 0 END) AS inventaire,
  SUM(CASE WHEN type_mouvement = 'reception' THEN quantite ELSE 0 END) AS reception,
  -SUM(CASE WHEN type_mouvement = 'commande' THEN quantite ELSE 0 END) AS commande,
  SUM(quantite) AS total
  FROM mouvements_stock GROUP BY ref_produit) m`

// inventoried holds for a product p with a stock snapshot: without one its stock has no
// opening balance, so it is SANS_INVENTAIRE (as analyse_stock says), not out of stock.
const inventoried = "EXISTS (SELECT 1 FROM mouvements_stock i WHERE i.ref_produit = p.ref_produit AND i.type_mouvement = 'inventaire')"

// withStatus is the FROM and WHERE of a query over the products p, with their current
// stock a, whose stock status (the rule analyse_stock names them by) is status.
func withStatus(status string) string {
	return " FROM produits p JOIN stock_actuel a ON a.ref_produit = p.ref_produit WHERE " +
		rules.StockStatusSQL("a.quantite", "p.seuil_alerte", inventoried) + " = '" + status + "'"
}

// stockChecks hold the stock to its sources: the current stock of every product is
// its snapshot plus its receipts minus its orders, and the movement history adds up to
// it type by type; products without a snapshot, under their alert threshold or out of
// stock are warnings, with the statuses of analyse_stock.
var stockChecks = []Check{
	{Name: "stock_actuel = snapshot + receipts - orders",
		Description: "for every product, current stock (stock_actuel) equals stock snapshot + receptions - lignes_commande",
		Query: "SELECT CONCAT(src.ref_produit, ': ', COALESCE(a.quantite, 0), ' <> ', src.inventaire + src.reception - src.commande) AS k FROM " +
			sources + " LEFT JOIN stock_actuel a ON a.ref_produit = src.ref_produit WHERE COALESCE(a.quantite, 0) <> src.inventaire + src.reception - src.commande"},
	{Name: "mouvements_stock add up by type",
		Description: "for every product, the movements of each type add up to the snapshot, the receipts and the orders",
		Query: "SELECT src.ref_produit AS k FROM " + sources + " LEFT JOIN " + moves + " ON m.ref_produit = src.ref_produit" +
			" WHERE COALESCE(m.inventaire, 0) <> src.inventaire OR COALESCE(m.reception, 0) <> src.reception OR COALESCE(m.commande, 0) <> src.commande"},
	{Name: "mouvements_stock without product", Description: "every movement is of a known product",
		Query: "SELECT DISTINCT m.ref_produit AS k FROM mouvements_stock m LEFT JOIN produits p ON p.ref_produit = m.ref_produit WHERE p.ref_produit IS NULL"},
	{Name: "products under their alert threshold", Warn: true,
		Description: "products whose current stock is at or below seuil_alerte but above zero (" + rules.StockSousSeuil + ")",
		Query:       "SELECT CONCAT(p.ref_produit, ' (', a.quantite, ' <= ', p.seuil_alerte, ')') AS k" + withStatus(rules.StockSousSeuil)},
	{Name: "products out of stock", Warn: true,
		Description: "products whose current stock is zero or less (" + rules.StockRupture + ")",
		Query:       "SELECT CONCAT(p.ref_produit, ' (', a.quantite, ')') AS k" + withStatus(rules.StockRupture)},
	{Name: "products without a stock snapshot", Warn: true,
		Description: "products without any inventory in the stock history (" + rules.StockSansInventaire + "): their snapshot row was rejected or never sent, so their stock is unknown",
		Query:       "SELECT p.ref_produit AS k" + withStatus(rules.StockSansInventaire)},
}
