// Analyse_stock exports the stock of every distributech product at a date, computed
// from the stock history of the database (mouvements_stock: the inventory opens a
// product's balance, each receipt adds, each order line subtracts), with its weekly
// evolution and, on request, a chart of the products at or below their alert
// threshold. It only reads the stock; its run is recorded in the journal.
//
// Usage:
//
//	analyse_stock [-dsn DSN] [-out FILE|-] [-at DATE] [-excel] [-evolution FILE] [-chart FILE.svg|FILE.html]
//
// It writes etat_stock_par_produit.csv (-out; default in the current folder; a folder,
// or a path ending in / which it creates, gets the file inside it; - writes to stdout),
// one row per product of produits, sorted by ref_produit, products without any movement
// included with zeros:
//
//	ref_produit, nom, categorie, stock_initial, total_receptions, total_commandes,
//	stock_actuel, seuil_alerte, statut, date_etat
//
// stock_initial is the sum of the product's inventaire movements, total_receptions the
// sum of its receptions, total_commandes the quantity ordered (a positive number), and
// stock_actuel = stock_initial + total_receptions - total_commandes, all counting the
// movements dated up to date_etat inclusive. statut is SANS_INVENTAIRE when the product
// has no stock snapshot (inventaire movement) dated up to date_etat: its snapshot row was
// rejected, or date_etat is before it, so its stock is unknown, not zero; else RUPTURE
// when stock_actuel <= 0, else SOUS_SEUIL when stock_actuel <= seuil_alerte, else OK.
// date_etat is -at (YYYY-MM-DD), by default today (UTC); an earlier -at gives the state
// at that date.
//
// It also writes evolution_stock.csv beside the state file (or at -evolution FILE, - for
// stdout; nothing when -out is - and -evolution is not given): the stock of every
// product at the end of every ISO week, from the week of the first movement to the week
// of date_etat, sorted by ref_produit then semaine:
//
//	ref_produit, semaine, stock_fin_semaine
//	SMA-0001, 2026-W07, 120
//
// stock_fin_semaine counts the movements up to the Sunday of the week (for the last
// week, up to date_etat, so it equals stock_actuel).
//
// -excel writes both files for French Excel: ';' separated, UTF-8 with BOM, CRLF line
// ends. Every cell that a spreadsheet would run as a formula is neutralised.
//
// -chart FILE.svg draws the weekly stock of the products whose stock at date_etat is at
// or below their seuil_alerte (SOUS_SEUIL and RUPTURE), or near it (OK but at most 125 %
// of it, marked PROCHE_SEUIL), not SANS_INVENTAIRE, whose stock is unknown: small
// multiples, one small chart per product, most urgent first (furthest below its
// threshold, relative to it), all on the same weeks but each on its own scale so that
// one deep deficit does not flatten the others, the threshold dashed and the last
// week's stock written. At most 12 are drawn (a screenful); the chart says how many
// more there are. -chart FILE.html writes a page with the chart and, beside it, the
// table of every such product (stock, threshold, status). Without such products the
// chart says so. Colours are colour-blind safe (Okabe-Ito); nothing is fetched and
// nothing runs.
//
// A summary goes to stderr:
//
//	analyse_stock: 412 products, 37 SOUS_SEUIL, 5 RUPTURE, 3 SANS_INVENTAIRE at 2026-11-15; wrote etat_stock_par_produit.csv, evolution_stock.csv
//
// When no product has a stock snapshot at date_etat (-at before the first snapshot, or
// none loaded), the files are still written, every product SANS_INVENTAIRE, and a second
// line warns:
//
//	analyse_stock: warning: -at 2026-01-01 is before the first stock snapshot (2026-02-01): every product is SANS_INVENTAIRE
//
// Example:
//
//	analyse_stock -dsn 'root@tcp(127.0.0.1:3306)/distributech' -out exports/ -excel -chart exports/alertes.html
//	analyse_stock -at 2026-06-30 -out - | grep RUPTURE
//
// Exit status: 0 the files were written (products in RUPTURE or SANS_INVENTAIRE are not
// an error), 1 they were written but no product had a stock snapshot at date_etat (the
// warning above), 2 it could not run (bad command line, database down, wrong password,
// missing tables).
package main
