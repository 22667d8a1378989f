package rules

// The statuses of a product's stock at a date, as etat_stock_par_produit.csv, validate's
// warnings and the final report name them. They are part of the contract: add one, never
// rename one.
const (
	StockOK             = "OK"              // above its alert threshold
	StockSousSeuil      = "SOUS_SEUIL"      // at or below its alert threshold, above zero
	StockRupture        = "RUPTURE"         // nothing left: zero or less
	StockSansInventaire = "SANS_INVENTAIRE" // no stock snapshot yet: the stock is unknown, not zero
)

// StockStatuses lists the statuses in the order reports show them.
var StockStatuses = []string{StockOK, StockSousSeuil, StockRupture, StockSansInventaire}

// StockStatus is the Go form of the stock status rule: SANS_INVENTAIRE when the product
// had no stock snapshot (its movements then have no opening balance, so a missing
// inventory is not a stock-out), else RUPTURE when nothing is left, SOUS_SEUIL at or
// below the alert threshold, else OK.
func StockStatus(stock, threshold int64, inventoried bool) string {
	switch {
	case !inventoried:
		return StockSansInventaire
	case stock <= 0:
		return StockRupture
	case stock <= threshold:
		return StockSousSeuil
	}
	return StockOK
}

// StockStatusSQL is the SQL form of StockStatus: an expression giving the status from
// the SQL expressions stock and threshold (integers) and inventoried (a condition, NULL
// counting as false). A NULL stock or threshold is neither at nor below anything, so it
// gives OK when the product is inventoried.
func StockStatusSQL(stock, threshold, inventoried string) string {
	return "CASE WHEN NOT COALESCE(" + inventoried + ", FALSE) THEN '" + StockSansInventaire + "'" +
		" WHEN " + stock + " <= 0 THEN '" + StockRupture + "'" +
		" WHEN " + stock + " <= " + threshold + " THEN '" + StockSousSeuil + "'" +
		" ELSE '" + StockOK + "' END"
}
