// Analyse_stock exports the stock of every distributech product at a date, computed
// from the stock history of the database (mouvements_stock: the inventory opens a
// product's balance, each receipt adds, each order line subtracts), with its weekly
// evolution and, on request, a chart of the products at or below their alert
// threshold. It only reads the stock; its run is recorded in the journal.
//
// Usage:
//
//	analyse_stock [flags]
//
// Flags:
//
//	-dsn DSN          the distributech database, user:password@tcp(host:port)/name
//	                  (default $MARIADB_DSN)
//	-out DIR          folder for the files below, created when missing (default ".")
//	-at DATE          the state at the end of this date, YYYY-MM-DD (default: today, the
//	                  local date of this machine, as every program of the toolkit)
//	-excel            write the CSV files for French Excel: ';' separated, UTF-8 with BOM,
//	                  CRLF line ends
//	-etat -           write only the stock state, to standard output (no file)
//	-evolution -      write only the weekly evolution, to standard output (no file)
//	-chart svg|html   also draw the weekly stock of the products at or below their
//	                  threshold in DIR/alertes_stock.svg, or DIR/alertes_stock.html (the
//	                  same SVG in a minimal page)
//	-quiet            print nothing when the run is clean
//	-h                print this manual
//
// Outputs, in -out:
//
//	etat_stock_par_produit.csv   one row per product of produits, sorted by ref_produit,
//	                             products without any movement included with zeros
//	evolution_stock.csv          the stock of every product at the end of every ISO week
//	alertes_stock.svg|.html      with -chart
//
// etat_stock_par_produit.csv has the columns
//
//	ref_produit, nom, categorie, stock_initial, total_receptions, total_commandes,
//	stock_actuel, seuil_alerte, statut, date_etat, prix_unitaire
//
// nom, categorie, seuil_alerte and prix_unitaire are those in force at the end of
// date_etat: a product renamed, repriced or given another threshold in the SQLite file
// after that date shows its earlier values, kept in produits_historique by the run that
// changed them (a change loaded by a run dated D is in force from D on; before a
// product's first change, the values first loaded are shown, whatever the date).
// prix_unitaire is written with a decimal point ("9.90"), with -excel a decimal comma.
// stock_initial is the sum of the product's inventaire movements, total_receptions the
// sum of its receptions, total_commandes the quantity ordered (a positive number), and
// stock_actuel = stock_initial + total_receptions - total_commandes, all counting the
// movements dated up to date_etat inclusive. statut is SANS_INVENTAIRE when the product
// has no stock snapshot (inventaire movement) dated up to date_etat: its snapshot row was
// rejected, or date_etat is before it, so its stock is unknown, not zero; else RUPTURE
// when stock_actuel <= 0, else SOUS_SEUIL when stock_actuel <= seuil_alerte, else OK.
// date_etat is -at; an earlier -at gives the state at that date.
//
// evolution_stock.csv goes from the week of the first movement to the week of
// date_etat, sorted by ref_produit then semaine:
//
//	ref_produit, semaine, stock_fin_semaine
//	SMA-0001, 2026-W07, 120
//
// stock_fin_semaine counts the movements up to the Sunday of the week (for the last
// week, up to date_etat, so it equals stock_actuel). Every cell that a spreadsheet would
// run as a formula is neutralised. A file replaced is kept as NAME.<run_id>.EXT.
//
// The chart draws the products whose stock at date_etat is at or below their
// seuil_alerte (SOUS_SEUIL and RUPTURE; not SANS_INVENTAIRE, whose stock is unknown):
// one line per product, its threshold dashed in the same colour, a legend of the
// references. Without such products the chart says so.
//
// -chart svg|html draws the weekly stock of the products whose stock at date_etat is at
// or below their seuil_alerte (SOUS_SEUIL and RUPTURE), or near it (OK but at most 125 %
// of it, marked PROCHE_SEUIL), not SANS_INVENTAIRE, whose stock is unknown: small
// multiples, one small chart per product, most urgent first (furthest below its
// threshold, relative to it), all on the same weeks but each on its own scale so that
// one deep deficit does not flatten the others, the threshold dashed and the last
// week's stock written. At most 12 are drawn (a screenful); the chart says how many
// more there are. html writes a page with the chart and, beside it, the table of every
// such product (stock, threshold, status). Without such products the chart says so.
// Colours are colour-blind safe (Okabe-Ito); nothing is fetched and nothing runs.
//
// A summary goes to stderr (none with -quiet when the run is clean):
//
//	analyse_stock: 412 products, 37 SOUS_SEUIL, 5 RUPTURE, 3 SANS_INVENTAIRE at 2026-11-15; wrote out/etat_stock_par_produit.csv, out/evolution_stock.csv
//
// When no product has a stock snapshot at date_etat (-at before the first snapshot, or
// none loaded), the files are still written, every product SANS_INVENTAIRE, and a second
// line warns:
//
//	analyse_stock: warning: -at 2026-01-01 is before the first stock snapshot (2026-02-01): every product is SANS_INVENTAIRE
//
// Exit status: 0 the files were written (products in RUPTURE or SANS_INVENTAIRE are not
// an error), 1 they were written but no product had a stock snapshot at date_etat (the
// warning above), 2 it could not run (bad command line, database down, wrong password,
// missing tables, interrupted).
//
// Example:
//
//	export MARIADB_DSN='root@tcp(127.0.0.1:3306)/distributech'
//	analyse_stock -out out/dt -excel -chart html
//	analyse_stock -at 2026-06-30 -etat - | grep RUPTURE
package main
