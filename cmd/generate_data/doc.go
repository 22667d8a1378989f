// Generate_data writes realistic test data for one of the two domains of the contract,
// clean by default, with realistic defects on request, and defects.csv, the list of
// every defect injected (file, line, id, column, code, and whether the row must be
// accepted, rejected or ignored), which tests use as ground truth. For clevity (the
// default) it writes clients.csv, intervenants.csv, projets.csv and affectations.csv;
// for distributech, the wholesaler's SQLite file and the resellers' weekly orders.
//
// Usage:
//
//	generate_data [flags]
//	generate_data -domain distributech [flags]
//
// Flags:
//
//	-domain NAME      clevity (default) or distributech
//	-seed N           random seed: the same seed and flags give the same files (default 1)
//	-out DIR          folder to write the files into, created when missing (default ".")
//	-defects RATE     share of rows with a defect, 0 to 1 (0.04: about 4 %; default 0)
//	-today DATE       the date the data is generated around, YYYY-MM-DD (default: the
//	                  local date of this machine)
//	-quiet            print nothing when the run is clean
//	-h                print this manual
//
// clevity only:
//
//	-clients N        number of clients (default 200)
//	-intervenants N   number of intervenants (default 50)
//	-projets N        number of projets (default 600)
//	-affectations N   number of affectations (default 2400)
//	-corrupt N        also write projets_corrompus.csv with N rows (default 0)
//	-agencies         write each file in another agency's dialect
//
// distributech only:
//
//	-regions N        number of regions, 1 to 18 (default 5)
//	-revendeurs N     number of resellers (default 60)
//	-produits N       number of products (default 400)
//	-weeks N          number of weekly order periods, the last one holding -today (default 8)
//
// The same seed and flags give byte-identical files on any machine; -today fixes the
// date the data is generated around (default: the real date), so pass it to reproduce
// files on another day. -agencies writes each file in the dialect of another agency
// (';' and Windows-1252 with CRLF, UTF-8 with BOM, French decimals and dates), as the
// production files arrive. -corrupt N also writes projets_corrompus.csv, N project rows
// as they arrive after an incident, and its manifest projets_corrompus_manifest.csv.
// Affectations need distinct keys (projet, intervenant, role, date_debut): asking for
// more than the parents allow is an error saying how many are possible.
//
// With -domain distributech it writes into -out:
//
//   - distributech.sqlite, made anew: regions (French regions under their INSEE
//     code; -regions N, default 5, the most populated first), revendeurs (-revendeurs,
//     default 60: resellers with a town of their region and an e-mail derived from
//     their name), produits (-produits, default 400: electronics in categories, refs
//     such as SMA-0001, prices in euros with at most 2 decimals, an alert threshold),
//     stock (one row per product, dated the Sunday before the first week) and
//     receptions (receipts over the weeks, sized so that stock covers the orders
//     most of the time; a few products run short).
//   - commandes/commandes_<YYYY-Www>_R<id>.csv, one file per reseller and ISO week in
//     which it ordered, over -weeks weeks (default 8), the last one holding -today:
//     numero_commande (CMD-2026W46-R012-01), id_revendeur, date_commande, ref_produit,
//     quantite, prix_unitaire; an order has 1 to 8 lines. Order files of an earlier
//     run in that folder that this run does not write again are set aside as
//     NAME.<run_id>.csv (a name migration does not read), so that the folder holds one
//     run's orders and loses none.
//   - defects.csv when -defects > 0. A row of a table is named
//     distributech.sqlite:<table>, at line (position in rowid order) + 2, as if the
//     table were exported under a header; an order line by its file's base name and
//     line. Defects: in the tables, a reseller in an unknown region or with another's
//     e-mail, a negative price, a reference twice (identical, or with other content),
//     a negative stock, a receipt of an unknown product or of quantity 0, the date
//     "hier"; in the orders, an unknown reseller or product, a quantity or price out of
//     range, a bad or future date, a line disagreeing with its order's reseller or
//     date, a missing field, and a line of an earlier week sent again, identical
//     (ignored) or changed (rejected).
//
// Outputs, in -out: for clevity clients.csv, intervenants.csv, projets.csv,
// affectations.csv, and with -corrupt projets_corrompus.csv and
// projets_corrompus_manifest.csv; for distributech distributech.sqlite and
// commandes/commandes_<YYYY-Www>_R<id>.csv; for both, defects.csv when -defects > 0. A
// summary (rows and defects per file, defects per code) goes to stderr, none with
// -quiet.
//
// Example:
//
//	generate_data -seed 42 -out out/sample -defects 0.04
//	generate_data -seed 1 -today 2026-11-15 -clients 800 -intervenants 150 -projets 3000 \
//	    -affectations 12000 -defects 0.04 -corrupt 200 -agencies -out out/clevity
//	generate_data -domain distributech -seed 1 -today 2026-11-15 -defects 0.04 -out out/dt
//
// The second command writes data like the provided data_1/ (the way it was first made),
// elsewhere: data_1/ is the customer's production data and nothing writes into it.
//
// The files are written in a hidden folder .generate-* inside -out and moved into
// place only when all of them are complete: a run that fails or is interrupted leaves
// -out as it was. No file of -out is ever truncated or deleted: one that a new file
// replaces (an earlier run's, or one of yours with the same name) is kept beside it as
// NAME.<run_id>.EXT (clients.20261115T100000Z-3fa2c1.csv), as every program of the
// toolkit keeps what it replaces, and a line on stderr names the files kept; one that
// holds the very bytes of the new file (the same seed, flags and -today again) stays as
// it is, and nothing is kept. A folder, a link or a pipe where a file goes is refused
// (exit 2) before anything changes. The kept versions are yours to remove. Ctrl-C (or SIGTERM) stops a run
// at once, writes nothing and exits 2 ("interrupted"); a second Ctrl-C exits 130 at
// once, and may leave the hidden folder behind, safe to remove.
//
// Exit status: 0 written, 2 could not write (bad flag, unwritable folder, something
// other than a file where a file goes, more affectations than the parents allow,
// interrupted), 130 stopped by a second Ctrl-C.
package main
