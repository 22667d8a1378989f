package mariadb

import (
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"dmt"
	"dmt/pkg/domain"
	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/store"
)

// TestLookUpsRideTheIndex: the statements Find sends for thousands of keys are index
// look-ups in the server's plan. From 1,000 values on, MariaDB turns an IN list into a
// join with a table of the values, which its optimizer served by scanning the whole
// table: 5,000 projects looked up in a 300,000-row projet_sites read all of it, 7 of a
// million-row run's 25 server seconds.
func TestLookUpsRideTheIndex(t *testing.T) {
	t.Parallel()
	db := freshDatabase(t).pool
	if _, err := db.Exec("CREATE TABLE projet_sites (id_projet INT NOT NULL, site VARCHAR(80) NOT NULL, PRIMARY KEY (id_projet, site))"); err != nil {
		t.Fatal(err)
	}
	e := domain.Clevity().Entity("projets")
	keys := make([][]string, 2500)
	for i := range keys {
		keys[i] = []string{strconv.Itoa(7*i + 1)}
	}
	for start, statements := 0, 0; start < len(keys); statements++ {
		where, args, n := inTuples(e, e.Key, keys[start:], math.MaxInt)
		start += n
		for _, plan := range explain(t, db, "SELECT id_projet, site FROM projet_sites WHERE "+where, args) {
			table, kind := text(plan["table"]), text(plan["select_type"])
			if strings.HasPrefix(table, "<") || kind != "SIMPLE" {
				t.Errorf("statement %d (%d values): plan row %s %s: the IN list became a join with a table of values", statements+1, n, kind, table)
			}
		}
	}
}

func text(v any) string {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	s, _ := v.(string)
	return s
}

// TestListLookUpsRideTheKeyWithStaleStatistics: the statement that reads a list's items
// for the owners a look-up found reads them by the list table's primary key, in the
// schema's own table, even when its statistics were taken while it held one owner (as
// InnoDB's, recomputed late in the background, are while a run fills the table). The
// optimizer then estimated thousands of rows an owner and read the whole index instead:
// in a million-row run, 61 million rows read for 0.5 million wanted.
func TestListLookUpsRideTheKeyWithStaleStatistics(t *testing.T) {
	t.Parallel()
	db := schemaDatabase(t, domain.Clevity())
	staleStatistics(t, db, "projet_sites", func(owner string) string {
		return "INSERT INTO projet_sites (id_projet, site, run_id, source_file, source_line) " +
			"SELECT " + owner + ", CONCAT('site', seq), 'r1', 'projets.csv', seq FROM "
	})
	e := domain.Clevity().Entity("projets")
	keys := make([][]string, lookupTuples)
	for i := range keys {
		keys[i] = []string{strconv.Itoa(3*i + 1)}
	}
	where, args, _ := inTuples(e, e.Key, keys, math.MaxInt)
	for _, plan := range explain(t, db.pool, listQuery(e, e.Lists[0], byPrimaryKey+where), args) {
		if kind, key := text(plan["type"]), text(plan["key"]); kind != "range" || key != "PRIMARY" {
			t.Errorf("plan: %s on %q, want range on PRIMARY", kind, key)
		}
	}
}

// TestOrderLinesLookedUpByTheKeyWithStaleStatistics: the look-up of an order's lines by
// its number (the first column of their key), as a weekly file's orders are looked up
// for the consistency of their lines, reads them by the primary key even when the
// table's statistics were taken while it held one order of thousands of lines: unnamed,
// the optimizer read the whole table instead.
func TestOrderLinesLookedUpByTheKeyWithStaleStatistics(t *testing.T) {
	t.Parallel()
	d := domain.Distributech()
	db := schemaDatabase(t, d)
	staleStatistics(t, db, "lignes_commande", func(order string) string {
		return "INSERT INTO lignes_commande (numero_commande, id_revendeur, date_commande, ref_produit, quantite, prix_unitaire, run_id, source_file, source_line) " +
			"SELECT CONCAT('CMD-', " + order + "), 1, '2024-01-01', CONCAT('P', seq), 1, 1.00, 'r1', 'commandes/s1.csv', seq FROM "
	})
	e := d.Entity("lignes_commande")
	c := e.Consistent[0]
	orders := make([][]string, lookupTuples)
	for i := range orders {
		orders[i] = []string{"CMD-" + strconv.Itoa(3*i+1)}
	}
	where, args, _ := inTuples(e, []string{c.Key}, orders, math.MaxInt)
	q, _, _ := rowsQuery(e, append([]string{c.Key}, c.Columns...), true, byColumns(e, []string{c.Key})+where)
	for _, plan := range explain(t, db.pool, q, args) {
		if kind, key := text(plan["type"]), text(plan["key"]); kind != "range" || key != "PRIMARY" {
			t.Errorf("plan: %s on %q, want range on PRIMARY", kind, key)
		}
	}
}

// staleStatistics leaves table with the statistics of one owner of 4,000 rows, then
// fills it with 5,000 owners of two rows: fill(owner) is an INSERT ... SELECT of rows of
// owner (an expression of seq) from what follows it, a sequence table.
func staleStatistics(t *testing.T, db *DB, table string, fill func(owner string) string) {
	t.Helper()
	for _, q := range []string{
		"ALTER TABLE " + table + " STATS_PERSISTENT=1 STATS_AUTO_RECALC=0",
		"SET STATEMENT foreign_key_checks = 0 FOR " + fill("1") + "seq_1_to_4000",
		"ANALYZE TABLE " + table,
		"DELETE FROM " + table,
		"SET STATEMENT foreign_key_checks = 0 FOR " + fill("seq DIV 2") + "seq_2_to_9999",
	} {
		if _, err := db.pool.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// freshDatabase opens a database of its own on the test server, closed with the test.
func freshDatabase(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), mariadbtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// schemaDatabase is a freshDatabase holding d's schema.
func schemaDatabase(t *testing.T, d *domain.Domain) *DB {
	t.Helper()
	db := freshDatabase(t)
	schema, err := dmt.ReadableSchema(d.SchemaFiles()...)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.ApplySchema(context.Background(), d.Name, schema); err != nil {
		t.Fatal(err)
	}
	return db
}

// explain returns the rows of the server's plan for query with args.
func explain(t *testing.T, db *sqlx.DB, query string, args []any) []map[string]any {
	t.Helper()
	rows, err := db.Queryx("EXPLAIN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plans []map[string]any
	for rows.Next() {
		plan := map[string]any{}
		if err := rows.MapScan(plan); err != nil {
			t.Fatal(err)
		}
		plans = append(plans, plan)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plans
}

// TestFindGivesStoredRowsBack: the rows Find gives back hold, column for column, what
// ScanEntity reads of them (NULL as "", text of any bytes, a list's items joined), the
// columns not asked for "", and their lineage only when asked: the run, file and line
// of each row, however the rows of one statement share or differ in them.
func TestFindGivesStoredRowsBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := schemaDatabase(t, domain.Clevity())
	for _, q := range []string{
		"SET STATEMENT foreign_key_checks = 0 FOR INSERT INTO projets (id_projet, id_client, titre, type_prestation, statut, date_debut, date_fin, budget, note_satisfaction, run_id, source_file, source_line) VALUES " +
			"(1, 1558, 'Audit réseau 2024', 'audit', 'annule', '2024-12-24', '2025-02-05', 39800.00, NULL, 'r1', 'projets.csv', 2), " +
			"(2, 7, 'Formation « Go » ✓', 'formation', 'termine', '2023-01-02', '2023-01-09', NULL, 4, 'r1', 'projets.csv', 3), " +
			"(3, 9, 'x', 'audit', 'en_cours', '2022-05-06', NULL, 1.50, NULL, 'r2', 'autre/projets.csv', 17), " +
			"(4, 9, 'Tab\there', 'assistance', 'planifie', '2022-05-06', NULL, 0.00, NULL, 'r1', 'projets.csv', 40)",
		"INSERT INTO projet_sites (id_projet, site, run_id, source_file, source_line) VALUES " +
			"(1, 'Nantes', 'r1', 'projets.csv', 2), (1, 'Lyon', 'r1', 'projets.csv', 2), (3, 'Saint-Étienne', 'r2', 'autre/projets.csv', 17)",
	} {
		if _, err := db.pool.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	e := domain.Clevity().Entity("projets")
	scanned := map[string][]string{}
	if err := db.ScanEntity(ctx, e, func(vals []string) error {
		scanned[e.KeyOf(vals)] = slices.Clone(vals)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	lineage := map[string]store.Stored{
		"1": {RunID: "r1", File: "projets.csv", Line: 2}, "2": {RunID: "r1", File: "projets.csv", Line: 3},
		"3": {RunID: "r2", File: "autre/projets.csv", Line: 17}, "4": {RunID: "r1", File: "projets.csv", Line: 40},
	}
	for _, fields := range [][]string{nil, {"id_projet", "date_debut", "date_fin", "sites"}} {
		for _, withLineage := range []bool{true, false} {
			got := map[string]store.Stored{}
			err := db.Find(ctx, e, e.Key, [][]string{{"4"}, {"1"}, {"2"}, {"3"}, {"99"}}, fields, withLineage, func(s store.Stored) error {
				got[e.KeyOf(s.Values)] = s
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(scanned) {
				t.Fatalf("fields %v, lineage %v: found %d rows, want %d", fields, withLineage, len(got), len(scanned))
			}
			for key, s := range got {
				for i, f := range e.Fields {
					want := scanned[key][i]
					if fields != nil && !slices.Contains(fields, f.Name) {
						want = ""
					}
					if s.Values[i] != want {
						t.Errorf("fields %v: projet %s %s = %q, want %q", fields, key, f.Name, s.Values[i], want)
					}
				}
				want := lineage[key]
				if !withLineage {
					want = store.Stored{}
				}
				if s.RunID != want.RunID || s.File != want.File || s.Line != want.Line {
					t.Errorf("fields %v, lineage %v: projet %s written by %q %q line %d, want %q %q line %d",
						fields, withLineage, key, s.RunID, s.File, s.Line, want.RunID, want.File, want.Line)
				}
			}
		}
	}
	if scanned["1"][e.Index("sites")] != "Lyon|Nantes" || scanned["2"][e.Index("budget")] != "" || scanned["2"][e.Index("titre")] != "Formation « Go » ✓" {
		t.Errorf("ScanEntity read %q", scanned)
	}
}
