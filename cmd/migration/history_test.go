package main

import (
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/progtest"
)

// changeSQLite runs statements on the SQLite file of dir, as the wholesaler's own
// application changes it between two runs.
func changeSQLite(t *testing.T, dir string, stmts ...string) {
	t.Helper()
	lite, err := sql.Open("sqlite", filepath.Join(dir, "distributech.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	for _, q := range stmts {
		if _, err := lite.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// updatedCounts reads, from the JSON report in out, the rows each entity updated.
func updatedCounts(t *testing.T, out string) (string, map[string]int) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(out, "rapport_reprise.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		RunID string `json:"run_id"`
		Files []struct {
			Entity  string `json:"entity"`
			Updated int    `json:"updated"`
		} `json:"files"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, f := range rep.Files {
		if f.Updated > 0 {
			n[f.Entity] += f.Updated
		}
	}
	return rep.RunID, n
}

// line is a row as dump writes it.
func line(vals ...string) string { return strings.Join(vals, "\t") + "\t\n" }

func itoa(n int) string { return strconv.Itoa(n) }

// etatAt runs analyse_stock -at at and returns the row of etat_stock_par_produit.csv of
// product ref, by column name.
func etatAt(t *testing.T, dsn, at, ref string) map[string]string {
	t.Helper()
	dir := t.TempDir()
	if res := runProg(t, nil, "analyse_stock", "-dsn", dsn, "-at", at, "-out", dir); res.code != 0 {
		t.Fatalf("analyse_stock -at %s: exit %d: %s", at, res.code, res.stderr)
	}
	rows := progtest.ReadCSV(t, filepath.Join(dir, "etat_stock_par_produit.csv"))
	for _, r := range rows[1:] {
		if r[0] == ref {
			m := map[string]string{}
			for i, h := range rows[0] {
				m[h] = r[i]
			}
			return m
		}
	}
	t.Fatalf("analyse_stock -at %s: no row for %s", at, ref)
	return nil
}

// TestReferenceDataChanges: the wholesaler renames and reprices a product, moves its
// threshold and moves a reseller to another region in the SQLite file between two runs,
// then reprices the product again. Each change updates the central row in place (same
// key, fresh lineage and fingerprint: validate passes), is logged field by field with
// the run and the source line, and keeps the earlier values in <table>_historique with
// the dates they were in force; analyse_stock -at shows, for each date, the name, price
// and threshold in force then, the stock figures untouched. A run over unchanged files
// changes nothing. Facts stay immutable: a changed receipt in the SQLite file and a
// changed order line in a weekly file are still DUPLICATE_KEY_CONFLICT.
func TestReferenceDataChanges(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if res := progtest.Run(t, nil, nil, "generate_data", "-domain", "distributech", "-seed", "7", "-today", dtToday,
		"-revendeurs", "6", "-produits", "10", "-weeks", "2", "-defects", "0", "-out", dir); res.Code != 0 {
		t.Fatalf("generate_data: %s", res.Stderr)
	}
	dsn := mariadbtest.NewDatabase(t)
	db := openDB(t, dsn)
	migrate := func(today string, want int) (string, string, map[string]int) {
		t.Helper()
		out := t.TempDir()
		res := runProg(t, nil, "migration", "-dsn", dsn, "-domain", "distributech", "-today", today, "-out", out, dir)
		if res.code != want {
			t.Fatalf("migration -today %s: exit %d, want %d: %s", today, res.code, want, res.stderr)
		}
		logText, err := os.ReadFile(filepath.Join(out, "log.txt"))
		if err != nil {
			t.Fatal(err)
		}
		run, updated := updatedCounts(t, out)
		return run, string(logText), updated
	}
	first, _, _ := migrate(dtToday, 0)

	var ref, oldNom, oldPrix, oldSeuil, oldStock string
	var reseller, oldRegion, newRegion int
	if err := db.QueryRow("SELECT ref_produit, nom, prix_unitaire, seuil_alerte FROM produits ORDER BY ref_produit LIMIT 1").
		Scan(&ref, &oldNom, &oldPrix, &oldSeuil); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow("SELECT r.id_revendeur, r.id_region, (SELECT MIN(g.id_region) FROM regions g WHERE g.id_region <> r.id_region)"+
		" FROM revendeurs r ORDER BY r.id_revendeur LIMIT 1").Scan(&reseller, &oldRegion, &newRegion); err != nil {
		t.Fatal(err)
	}
	before := etatAt(t, dsn, "2026-11-19", ref)
	oldStock = before["stock_actuel"]
	if before["nom"] != oldNom || before["prix_unitaire"] != oldPrix || before["seuil_alerte"] != oldSeuil {
		t.Fatalf("analyse_stock before any change: %v, want %s %s %s", before, oldNom, oldPrix, oldSeuil)
	}

	// The first change, loaded by a run dated 2026-11-20.
	changeSQLite(t, dir,
		"UPDATE produits SET nom = 'Housse renommée', prix_unitaire = 13.75, seuil_alerte = 90 WHERE ref_produit = '"+ref+"'",
		"UPDATE revendeurs SET id_region = "+itoa(newRegion)+" WHERE id_revendeur = "+itoa(reseller))
	second, log2, updated := migrate("2026-11-20", 0)
	if updated["produits"] != 1 || updated["revendeurs"] != 1 || len(updated) != 2 {
		t.Errorf("second run updated %v, want one produits and one revendeurs row", updated)
	}
	for _, want := range []string{
		`action=updated run=` + second + ` file=distributech.sqlite:produits line=2 ref_produit=` + ref +
			` detail="nom \"` + oldNom + `\" -> \"Housse renommée\"; prix_unitaire \"` + oldPrix + `\" -> \"13.75\"; seuil_alerte \"` + oldSeuil + `\" -> \"90\"" history=produits_historique`,
		`action=updated run=` + second + ` file=distributech.sqlite:revendeurs line=2 id_revendeur=` + itoa(reseller) +
			` detail="id_region \"` + itoa(oldRegion) + `\" -> \"` + itoa(newRegion) + `\"" history=revendeurs_historique`,
	} {
		if !strings.Contains(log2, want) {
			t.Errorf("log.txt of the second run lacks\n%s\nlog:\n%s", want, log2)
		}
	}
	if strings.Contains(log2, "DUPLICATE_KEY_CONFLICT") {
		t.Errorf("a changed reference row was taken for a conflict:\n%s", log2)
	}
	var nom, prix, run string
	if err := db.QueryRow("SELECT nom, prix_unitaire, run_id FROM produits WHERE ref_produit = ?", ref).Scan(&nom, &prix, &run); err != nil ||
		nom != "Housse renommée" || prix != "13.75" || run != second {
		t.Errorf("produits %s: %q %s run %s (%v), want the new values from run %s", ref, nom, prix, run, err, second)
	}
	var region int
	if err := db.QueryRow("SELECT id_region FROM revendeurs WHERE id_revendeur = ?", reseller).Scan(&region); err != nil || region != newRegion {
		t.Errorf("revendeur %d in region %d (%v), want %d", reseller, region, err, newRegion)
	}
	wantMoved := line(itoa(reseller), itoa(oldRegion), "NULL", "2026-11-20", second, "distributech.sqlite:revendeurs", "2", first, "distributech.sqlite:revendeurs", "2")
	if got := dump(t, db, "SELECT id_revendeur, id_region, COALESCE(valid_from, 'NULL'), valid_to, run_id, source_file, source_line,"+
		" loaded_run_id, loaded_file, loaded_line FROM revendeurs_historique"); got != wantMoved {
		t.Errorf("revendeurs_historique:\n%swant\n%s", got, wantMoved)
	}

	// The second change, a week later: a new price only.
	changeSQLite(t, dir, "UPDATE produits SET prix_unitaire = 14.20 WHERE ref_produit = '"+ref+"'")
	third, log3, updated := migrate("2026-11-27", 0)
	if updated["produits"] != 1 || len(updated) != 1 {
		t.Errorf("third run updated %v, want one produits row", updated)
	}
	if !strings.Contains(log3, `detail="prix_unitaire \"13.75\" -> \"14.20\"" history=produits_historique`) {
		t.Errorf("log.txt of the third run lacks the price change:\n%s", log3)
	}
	wantHist := line(ref, oldNom, oldPrix, oldSeuil, "NULL", "2026-11-20", second, first) +
		line(ref, "Housse renommée", "13.75", "90", "2026-11-20", "2026-11-27", third, second)
	if got := dump(t, db, "SELECT ref_produit, nom, prix_unitaire, seuil_alerte, COALESCE(valid_from, 'NULL'), valid_to, run_id, loaded_run_id FROM produits_historique ORDER BY id"); got != wantHist {
		t.Errorf("produits_historique:\n%swant\n%s", got, wantHist)
	}

	// Each date shows what was in force at its end; the stock is the same throughout.
	for _, c := range []struct{ at, nom, prix, seuil string }{
		{dtToday, oldNom, oldPrix, oldSeuil},
		{"2026-11-19", oldNom, oldPrix, oldSeuil},
		{"2026-11-20", "Housse renommée", "13.75", "90"},
		{"2026-11-26", "Housse renommée", "13.75", "90"},
		{"2026-11-27", "Housse renommée", "14.20", "90"},
		{"2026-12-31", "Housse renommée", "14.20", "90"},
	} {
		got := etatAt(t, dsn, c.at, ref)
		if got["nom"] != c.nom || got["prix_unitaire"] != c.prix || got["seuil_alerte"] != c.seuil || got["stock_actuel"] != oldStock {
			t.Errorf("analyse_stock -at %s: %s %s %s stock %s, want %s %s %s stock %s", c.at,
				got["nom"], got["prix_unitaire"], got["seuil_alerte"], got["stock_actuel"], c.nom, c.prix, c.seuil, oldStock)
		}
	}

	// The central rows carry fresh fingerprints and lineage: validate passes, -source too.
	vout := t.TempDir()
	if v := runProg(t, nil, "validate", "-dsn", dsn, "-domain", "distributech", "-today", "2026-11-27", "-source", dir, "-out", vout); v.code != 0 {
		reps, _ := filepath.Glob(filepath.Join(vout, "rapport_validation_*.txt"))
		text, _ := os.ReadFile(reps[0])
		t.Errorf("validate after the changes: exit %d: %s\n%s", v.code, v.stderr, text)
	}

	// Nothing changed: nothing updated, no history written.
	if _, _, updated := migrate("2026-11-28", 0); len(updated) != 0 {
		t.Errorf("a run over unchanged files updated %v", updated)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM produits_historique"); n != 2 {
		t.Errorf("%d rows in produits_historique after an unchanged run, want 2", n)
	}

	// Facts do not change: a receipt and an order line changed at their source are
	// conflicts, and the database keeps what it had.
	var reception, receptionQty int
	if err := db.QueryRow("SELECT id_reception, quantite FROM receptions ORDER BY id_reception LIMIT 1").Scan(&reception, &receptionQty); err != nil {
		t.Fatal(err)
	}
	changeSQLite(t, dir, "UPDATE receptions SET quantite = quantite + 1 WHERE id_reception = "+itoa(reception))
	files, _ := filepath.Glob(filepath.Join(dir, "commandes", "*.csv"))
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	f := strings.Split(lines[1], ",")
	numero, produit, qty := f[0], f[3], f[4]
	f[4] = qty + "0"
	lines[1] = strings.Join(f, ",")
	if err := os.WriteFile(files[0], []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	_, log5, updated := migrate("2026-11-29", 1)
	if len(updated) != 0 {
		t.Errorf("changed facts updated %v", updated)
	}
	for _, want := range []string{
		"file=distributech.sqlite:receptions line=2 code=DUPLICATE_KEY_CONFLICT",
		"file=" + filepath.Base(files[0]) + " line=2 code=DUPLICATE_KEY_CONFLICT",
	} {
		if !strings.Contains(log5, want) {
			t.Errorf("log.txt lacks %q:\n%s", want, log5)
		}
	}
	if n := count(t, db, "SELECT quantite FROM receptions WHERE id_reception = ?", reception); n != receptionQty {
		t.Errorf("reception %d: quantite %d, want %d kept", reception, n, receptionQty)
	}
	if got := dump(t, db, "SELECT CAST(quantite AS CHAR) FROM lignes_commande WHERE numero_commande = '"+numero+"' AND ref_produit = '"+produit+"'"); got != line(qty) {
		t.Errorf("order line %s/%s: quantite %q, want %s kept", numero, produit, got, qty)
	}
}
