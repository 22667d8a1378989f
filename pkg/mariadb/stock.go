package mariadb

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"dmt/pkg/rules"
)

// StockState is the stock of one product at a date, from its movements up to that date,
// with the product's name, category, price and threshold in force at that date.
type StockState struct {
	Ref        string `db:"ref_produit"`
	Nom        string `db:"nom"`
	Categorie  string `db:"categorie"`
	Prix       string `db:"prix_unitaire"` // exact ("9.90")
	Initial    int64  `db:"initial"`       // sum of the inventaire movements
	Receptions int64  `db:"receptions"`    // sum of the reception movements
	Commandes  int64  `db:"commandes"`     // quantities ordered, positive (the commande movements negated)
	Actuel     int64  `db:"-"`             // Initial + Receptions - Commandes
	Seuil      int64  `db:"seuil_alerte"`  // the product's seuil_alerte
	// Inventoried says that an inventaire movement of the product is dated up to the
	// date: without one, its stock has no opening balance and Actuel means nothing (its
	// snapshot row was rejected, or the date is before the snapshot).
	Inventoried bool `db:"inventoried"`
}

// Status is the product's stock status at the date (rules.StockStatus).
// analyse_stock and the final report both name a product's state by it.
func (s StockState) Status() string { return rules.StockStatus(s.Actuel, s.Seuil, s.Inventoried) }

// stockStatesQuery gives every product its values in force at the date (those of the
// earliest produits_historique row that stopped being in force after it, else the live
// row's: see keepHistory) and sums its movements by type up to the date in one pass; a
// product without movements comes out with zeros.
const stockStatesQuery = `SELECT p.ref_produit,
  IF(h.id IS NULL, p.nom, h.nom) AS nom, IF(h.id IS NULL, p.categorie, h.categorie) AS categorie,
  CAST(IF(h.id IS NULL, p.prix_unitaire, h.prix_unitaire) AS CHAR) AS prix_unitaire,
  IF(h.id IS NULL, p.seuil_alerte, h.seuil_alerte) AS seuil_alerte,
  CAST(COALESCE(m.inventaire, 0) AS SIGNED) AS initial, CAST(COALESCE(m.reception, 0) AS SIGNED) AS receptions,
  CAST(COALESCE(m.commande, 0) AS SIGNED) AS commandes, COALESCE(m.inventaires, 0) > 0 AS inventoried
FROM produits p
LEFT JOIN produits_historique h ON h.id = (SELECT e.id FROM produits_historique e
  WHERE e.ref_produit = p.ref_produit AND e.valid_to > ? ORDER BY e.valid_to, e.id LIMIT 1)
LEFT JOIN (SELECT ref_produit,
    SUM(CASE WHEN type_mouvement = 'inventaire' THEN quantite END) AS inventaire,
    SUM(CASE WHEN type_mouvement = 'reception' THEN quantite END) AS reception,
    -SUM(CASE WHEN type_mouvement = 'commande' THEN quantite END) AS commande,
    COUNT(CASE WHEN type_mouvement = 'inventaire' THEN 1 END) AS inventaires
  FROM mouvements_stock WHERE date_mouvement <= ? GROUP BY ref_produit) m ON m.ref_produit = p.ref_produit
ORDER BY p.ref_produit`

// StockStates returns the stock of every product of produits at the date at
// (YYYY-MM-DD; movements dated up to it inclusive count), sorted by ref_produit, each
// with the name, category, price and threshold in force at the end of that date: a
// value changed by a later run shows as it was. It reads them in one query. Errors went
// through FormatError (a missing table says so).
func (db *DB) StockStates(ctx context.Context, at string) ([]StockState, error) {
	if _, err := time.Parse(time.DateOnly, at); err != nil {
		return nil, fmt.Errorf("stock states: date %q: want YYYY-MM-DD", at)
	}
	var out []StockState
	if err := db.pool.SelectContext(ctx, &out, stockStatesQuery, at, at); err != nil {
		return nil, fmt.Errorf("stock states: %w", FormatError(err))
	}
	for i := range out {
		out[i].Actuel = out[i].Initial + out[i].Receptions - out[i].Commandes
	}
	return out, nil
}

// FirstInventory returns the date (YYYY-MM-DD) of the earliest stock snapshot of any
// product, the first date at which a stock means something; ok is false when the
// database holds none.
func (db *DB) FirstInventory(ctx context.Context) (date string, ok bool, err error) {
	var d sql.NullString
	if err := db.pool.GetContext(ctx, &d, "SELECT DATE_FORMAT(MIN(date_mouvement), '%Y-%m-%d') FROM mouvements_stock WHERE type_mouvement = 'inventaire'"); err != nil {
		return "", false, fmt.Errorf("first inventory: %w", FormatError(err))
	}
	return d.String, d.Valid, nil
}

// StockWeek is the stock of a product at the end of an ISO week.
type StockWeek struct {
	Ref   string
	Week  string // ISO week, "2026-W07"
	Stock int64  // stock at the end of the week's Sunday (at the date asked, for its week)
}

// stockWeeksQuery nets every product's movements per week, a week named by its Monday;
// a product without movements gives one row with a NULL week.
const stockWeeksQuery = `SELECT p.ref_produit,
  m.date_mouvement - INTERVAL WEEKDAY(m.date_mouvement) DAY AS lundi,
  CAST(COALESCE(SUM(m.quantite), 0) AS SIGNED)
FROM produits p
LEFT JOIN mouvements_stock m ON m.ref_produit = p.ref_produit AND m.date_mouvement <= ?
GROUP BY p.ref_produit, lundi
ORDER BY p.ref_produit, lundi`

// StockEvolution returns the stock of every product of produits at the end of every
// ISO week, from the week of the first movement (of any product) to the week of at
// (YYYY-MM-DD), counting movements dated up to at inclusive: so the last week's stock
// is the stock at at, as StockStates gives it. Rows are sorted by ref_produit then
// week; every product has the same weeks, and there are none when no movement is dated
// up to at. One query nets the movements per product and week, read as a stream into
// each product's weeks (products times weeks may be many rows); the running sum is
// done here.
func (db *DB) StockEvolution(ctx context.Context, at string) ([]StockWeek, error) {
	end, err := time.Parse(time.DateOnly, at)
	if err != nil {
		return nil, fmt.Errorf("stock evolution: date %q: want YYYY-MM-DD", at)
	}
	rows, err := db.pool.QueryContext(ctx, stockWeeksQuery, at)
	if err != nil {
		return nil, fmt.Errorf("stock evolution: %w", FormatError(err))
	}
	defer rows.Close()
	type net struct {
		monday time.Time
		qty    int64
	}
	var refs []string
	byRef := map[string][]net{}
	var first time.Time
	for rows.Next() {
		var ref string
		var monday sql.NullString
		var qty int64
		if err := rows.Scan(&ref, &monday, &qty); err != nil {
			return nil, fmt.Errorf("stock evolution: %w", err)
		}
		if _, seen := byRef[ref]; !seen {
			refs = append(refs, ref)
			byRef[ref] = nil
		}
		if !monday.Valid {
			continue
		}
		d, err := time.Parse(time.DateOnly, monday.String)
		if err != nil {
			return nil, fmt.Errorf("stock evolution: week of %s: %w", ref, err)
		}
		if first.IsZero() || d.Before(first) {
			first = d
		}
		byRef[ref] = append(byRef[ref], net{d, qty})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("stock evolution: %w", FormatError(err))
	}
	if first.IsZero() {
		return nil, nil
	}
	last := mondayOf(end)
	var weeks []time.Time
	for d := first; !d.After(last); d = d.AddDate(0, 0, 7) {
		weeks = append(weeks, d)
	}
	out := make([]StockWeek, 0, len(refs)*len(weeks))
	for _, ref := range refs {
		nets := byRef[ref] // sorted by week
		var stock int64
		j := 0
		for _, w := range weeks {
			for j < len(nets) && !nets[j].monday.After(w) {
				stock += nets[j].qty
				j++
			}
			out = append(out, StockWeek{Ref: ref, Week: isoWeek(w), Stock: stock})
		}
	}
	return out, nil
}

// mondayOf returns the Monday of t's ISO week.
func mondayOf(t time.Time) time.Time {
	return t.AddDate(0, 0, -((int(t.Weekday()) + 6) % 7))
}

// isoWeek names t's ISO week as "2026-W07" (the ISO year, which differs from t's year
// around the first of January).
func isoWeek(t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}
