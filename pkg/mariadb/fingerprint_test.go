package mariadb_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"dmt/pkg/domain"
	"dmt/pkg/mariadb"
	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/model"
	"dmt/pkg/store"
	"dmt/pkg/validate"
)

// printCase is a row in canonical form (as the checker hands it to the loader), aligned
// with its entity's fields.
type printCase struct {
	entity string
	vals   []string
}

// printCases are the rows whose fingerprints the Go form (at load) and the SQL form (at
// validate) must agree on: NULLs, decimals at their scale and at zero, dates, text with
// quotes, backslashes, accents and characters beyond the BMP, and site lists given out
// of order, whose items sort differently by bytes and by collation.
var printCases = map[string][]printCase{
	"clevity": {
		{"clients", []string{"1", "Dupont SA", "Industrie", "contact@dupont.fr", "04 72 00 00 00", "Lyon", "2020-01-15"}},
		{"clients", []string{"2", "O'Brien \\ \"Fils\" 100% _x_", "", "o'brien@x.fr", "", "", ""}},
		{"clients", []string{"3", "Zoë Ĉiŝ 北京 😀 Société", "Café", "z@x.fr", "+33 (0)1", "Saint-Étienne", "1999-12-31"}},
		{"intervenants", []string{"1", "Martin", "Léa", "lea@clevity.fr", "Lyon", "", "2019-03-01"}},
		{"intervenants", []string{"2", "N", "P", "p@x.fr", "Paris", "Réseaux", ""}},
		{"projets", []string{"1", "1", "Audit réseau", "audit", "termine", "2023-01-10", "2023-03-31", "12500.50", "4", "Paris|Lyon"}},
		{"projets", []string{"2", "2", "Déploiement", "deploiement", "planifie", "2024-01-01", "", "", "", ""}},
		{"projets", []string{"3", "3", "x", "formation", "en_cours", "2024-01-01", "", "0.00", "", "évian|Lyon Est|Lyon|Évry|lyon-sud"}},
		{"projets", []string{"4", "1", "y", "assistance", "annule", "2024-01-01", "2024-01-01", "9999999999.99", "", "Nantes"}},
		{"affectations", []string{"1", "1", "1", "consultant", "Lyon", "2023-01-10", "2023-02-28", "12.5"}},
		{"affectations", []string{"2", "1", "2", "auditeur", "", "2023-01-10", "", ""}},
		{"affectations", []string{"3", "3", "1", "formateur", "Évry", "2024-01-02", "", "0.5"}},
	},
	"distributech": {
		{"regions", []string{"1", "Bretagne"}},
		{"revendeurs", []string{"1", "Breizh Info", "1", "contact@breizh.fr", "Rennes"}},
		{"revendeurs", []string{"2", "Autre", "1", "a@b.fr", ""}},
		{"produits", []string{"SMA-0001", "Écran \"27\"", "Écrans", "249.90", "5"}},
		{"produits", []string{"SMA-0002", "Câble", "Câbles", "0.00", "0"}},
		{"stock", []string{"SMA-0001", "12", "2026-01-05"}},
		{"stock", []string{"SMA-0002", "0", "2026-01-05"}},
		{"receptions", []string{"1", "SMA-0001", "30", "2026-02-01"}},
		{"lignes_commande", []string{"C1", "1", "2026-02-10", "SMA-0001", "3", "199.90"}},
		{"lignes_commande", []string{"C1", "1", "2026-02-10", "SMA-0002", "1", "0.10"}},
		{"lignes_commande", []string{"C2", "2", "2026-02-11", "SMA-0002", "7", "1.00"}},
	},
}

// loadCases loads the cases of domain d through LoadBatch, one batch per entity in load
// order, as migration does.
func loadCases(t *testing.T, db *mariadb.DB, d *domain.Domain) {
	t.Helper()
	ctx := context.Background()
	for _, e := range d.Entities {
		b := &store.Batch{RunID: "r1", Tool: "migration", File: e.Name + ".csv", Seq: 1, Entity: e}
		for i, c := range printCases[d.Name] {
			if c.entity == e.Name {
				b.Rows = append(b.Rows, store.Row{Line: i + 2, Values: c.vals})
			}
		}
		if len(b.Rows) == 0 {
			t.Fatalf("no case for %s", e.Name)
		}
		b.Progress = store.Progress{First: b.Rows[0].Line, Line: b.Rows[len(b.Rows)-1].Line, Read: len(b.Rows), Inserted: len(b.Rows)}
		if refused, err := db.LoadBatch(ctx, b); err != nil || len(refused) > 0 {
			t.Fatalf("load %s: %v %v", e.Name, err, refused)
		}
	}
}

// openDomain opens a fresh database of domain d built by its schema steps, with run r1
// in the journal.
func openDomain(t *testing.T, d string) *mariadb.DB {
	t.Helper()
	ctx := context.Background()
	db, err := mariadb.Open(ctx, mariadbtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx, d, "test"); err != nil {
		t.Fatal(err)
	}
	if err := db.StartRun(ctx, store.Run{ID: "r1", Tool: "migration", Domain: d}); err != nil {
		t.Fatal(err)
	}
	return db
}

// changedChecks are validate's "rows changed outside the toolkit" checks of d, by table.
func changedChecks(d *domain.Domain) map[string]validate.Check {
	out := map[string]validate.Check{}
	for _, c := range validate.Checks(d, model.Date{Year: 2026, Month: 11, Day: 15}) {
		if t, ok := strings.CutSuffix(c.Name, " rows changed outside the toolkit"); ok {
			out[t] = c
		}
	}
	return out
}

// TestFingerprintGoAndSQLAgree loads every case through the loader (which stores the Go
// form of the fingerprint), then wants: the stored fingerprint is the Go form of the
// case's values; validate's SQL form recomputes the same for every row of every
// fingerprinted table (headers and stock movements included); and that SQL form
// notices one value changed in any table.
func TestFingerprintGoAndSQLAgree(t *testing.T) {
	t.Parallel()
	for _, name := range domain.Names() {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			d := domain.ByName(name)
			db := openDomain(t, name)
			loadCases(t, db, d)
			for i, c := range printCases[name] {
				e := d.Entity(c.entity)
				where := make([]string, len(e.KeyIndexes()))
				var args []any
				for j, k := range e.KeyIndexes() {
					where[j] = "`" + e.Fields[k].Name + "` = ?"
					args = append(args, c.vals[k])
				}
				var got string
				if err := db.Pool().Get(&got, "SELECT row_sha FROM "+c.entity+" WHERE "+strings.Join(where, " AND "), args...); err != nil {
					t.Fatalf("case %d: %v", i, err)
				}
				if want := e.Fingerprint(c.vals); got != want {
					t.Errorf("case %d %s %v: stored %s, Go form %s", i, c.entity, c.vals, got, want)
				}
			}
			checks := changedChecks(d)
			var tables []string
			for table, c := range checks {
				tables = append(tables, table)
				n, sample, err := db.Offenders(ctx, c.Query, 10)
				if err != nil || n != 0 {
					t.Errorf("%s: SQL form disagrees with the stored fingerprints of %d rows %v (%v)", table, n, sample, err)
				}
				var rows int
				db.Pool().Get(&rows, "SELECT COUNT(*) FROM "+table)
				if rows == 0 {
					t.Errorf("%s: no rows to compare", table)
				}
			}
			want := map[string][]string{
				"clevity":      {"clients", "intervenants", "projets", "affectations"},
				"distributech": {"regions", "revendeurs", "produits", "stock", "receptions", "lignes_commande", "commandes", "mouvements_stock"},
			}[name]
			if len(tables) != len(want) {
				t.Errorf("fingerprinted tables %v, want %v", tables, want)
			}
			// One value changed per table: the SQL form sees it, and only it.
			tamper := map[string]struct{ sql, key string }{
				"clients":          {"UPDATE clients SET nom = 'Dupont S.A.' WHERE id_client = 1", "1"},
				"intervenants":     {"UPDATE intervenants SET date_embauche = '2019-03-02' WHERE id_intervenant = 1", "1"},
				"projets":          {"DELETE FROM projet_sites WHERE id_projet = 3 AND site = 'Lyon'", "3"},
				"affectations":     {"UPDATE affectations SET jours = jours * 10 WHERE id_affectation = 3", "3"},
				"regions":          {"UPDATE regions SET nom = 'Bretagne ' WHERE id_region = 1", "1"},
				"revendeurs":       {"UPDATE revendeurs SET ville = NULL WHERE id_revendeur = 1", "1"},
				"produits":         {"UPDATE produits SET prix_unitaire = 0.01 WHERE ref_produit = 'SMA-0002'", "SMA-0002"},
				"stock":            {"UPDATE stock SET quantite = 13 WHERE ref_produit = 'SMA-0001'", "SMA-0001"},
				"receptions":       {"UPDATE receptions SET date_reception = '2026-02-02' WHERE id_reception = 1", "1"},
				"lignes_commande":  {"UPDATE lignes_commande SET quantite = 4 WHERE numero_commande = 'C1' AND ref_produit = 'SMA-0001'", "C1/SMA-0001"},
				"commandes":        {"UPDATE commandes SET date_commande = '2026-02-12' WHERE numero_commande = 'C2'", "C2"},
				"mouvements_stock": {"UPDATE mouvements_stock SET date_mouvement = '2026-02-03' WHERE type_mouvement = 'reception'", "reception/1/SMA-0001"},
			}
			conn, err := db.Pool().Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.ExecContext(ctx, "SET SESSION foreign_key_checks = 0")
			conn.ExecContext(ctx, "SET SESSION check_constraint_checks = 0")
			for _, table := range want {
				tc := tamper[table]
				if r, err := conn.ExecContext(ctx, tc.sql); err != nil {
					t.Fatalf("%s: %v", tc.sql, err)
				} else if n, _ := r.RowsAffected(); n != 1 {
					t.Fatalf("%s changed %d rows", tc.sql, n)
				}
				n, sample, err := db.Offenders(ctx, checks[table].Query, 10)
				if err != nil || n != 1 || sample[0] != tc.key {
					t.Errorf("after %s: %d rows %v (%v), want %s", tc.sql, n, sample, err, tc.key)
				}
			}
		})
	}
}

// TestUpdateWritesAFreshFingerprint replaces a loaded row as reprise -update does: its
// fingerprint is that of its new values, sites included.
func TestUpdateWritesAFreshFingerprint(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := domain.Clevity()
	db := openDomain(t, "clevity")
	loadCases(t, db, d)
	e := d.Entity("projets")
	vals := []string{"1", "1", "Audit réseau (bis)", "audit", "termine", "2023-01-10", "2023-03-31", "13000.00", "5", "Paris|Lille"}
	b := &store.Batch{RunID: "r1", Tool: "reprise", File: "corrections.csv", Seq: 1, Entity: e,
		Updates:  []store.Row{{Line: 2, Values: vals}},
		Progress: store.Progress{First: 2, Line: 2, Read: 1, Updated: 1}}
	if _, err := db.LoadBatch(ctx, b); err != nil {
		t.Fatal(err)
	}
	var got string
	if err := db.Pool().Get(&got, "SELECT row_sha FROM projets WHERE id_projet = 1"); err != nil {
		t.Fatal(err)
	}
	if want := e.Fingerprint(vals); got != want {
		t.Errorf("after the update: row_sha %s, want %s (the new values')", got, want)
	}
	if n, sample, err := db.Offenders(ctx, changedChecks(d)["projets"].Query, 10); err != nil || n != 0 {
		t.Errorf("validate sees %d changed projets %v (%v) after an update by the toolkit", n, sample, err)
	}
}

// TestFingerprintEncoding: NULL, the empty list and the order of values are all told
// apart; a list's order is not. (Values holding the bytes 0 or 31 could collide, which
// is why no canonical value holds a control character.)
func TestFingerprintEncoding(t *testing.T) {
	t.Parallel()
	e := domain.Clevity().Entity("projets")
	row := func(budget, sites string) []string {
		return []string{"1", "1", "t", "audit", "planifie", "2024-01-01", "", budget, "", sites}
	}
	distinct := [][]string{{"", "a"}, {"a", ""}, {"a"}, {"", ""}, {""}, {"a\x1f"}, {"a", "b"}}
	seen := map[string]string{}
	for _, v := range distinct {
		fp := domain.Fingerprint(v)
		if other, dup := seen[fp]; dup {
			t.Errorf("Fingerprint(%q) = Fingerprint(%s)", v, other)
		}
		seen[fp] = fmt.Sprintf("%q", v)
	}
	if e.Fingerprint(row("1.00", "Lyon|Paris")) != e.Fingerprint(row("1.00", "Paris|Lyon")) {
		t.Errorf("the order of a project's sites changes its fingerprint")
	}
	if e.Fingerprint(row("1.00", "Lyon")) == e.Fingerprint(row("1.00", "Lyon|Paris")) {
		t.Errorf("a site more does not change the fingerprint")
	}
	if e.Fingerprint(row("1.00", "")) == e.Fingerprint(row("100.00", "")) {
		t.Errorf("budget * 100 does not change the fingerprint")
	}
}
