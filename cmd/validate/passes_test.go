package main

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"dmt/pkg/domain"
	"dmt/pkg/mariadb"
	"dmt/pkg/model"
	"dmt/pkg/validate"
)

// storeOf opens the store validate reads dsn through, closed when the test ends.
func storeOf(t *testing.T, dsn string) *mariadb.DB {
	t.Helper()
	db, err := mariadb.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// uncounted is the store with every count refused: each check then runs its own query,
// as validate did before checks shared passes over their tables.
type uncounted struct{ *mariadb.DB }

func (uncounted) Counts(context.Context, string) ([]int64, error) {
	return nil, errors.New("no counts")
}

// rowCounting is the store that counts the queries that count a table's rows alone.
type rowCounting struct {
	*mariadb.DB
	calls atomic.Int32
}

func (r *rowCounting) RowCount(ctx context.Context, table string) (int, error) {
	r.calls.Add(1)
	return r.DB.RowCount(ctx, table)
}

// TestPassesGiveTheSameVerdicts: on a database broken in many ways at once (constraints
// off, fingerprints left stale), the checks counted in shared passes give the same
// status, count and samples as each check's own query run alone.
func TestPassesGiveTheSameVerdicts(t *testing.T) {
	t.Parallel()
	dsn := migrated(t)
	conn := openDB(t, dsn)
	conn.SetMaxOpenConns(1) // the session settings hold for every statement
	for _, stmt := range []string{"SET SESSION foreign_key_checks = 0", "SET SESSION check_constraint_checks = 0",
		"ALTER TABLE clients DROP INDEX uq_clients_email",
		"UPDATE clients SET email = (SELECT email FROM (SELECT email FROM clients WHERE id_client = 1) x) WHERE id_client = 2",
		"UPDATE clients c JOIN (SELECT nom, ville FROM clients WHERE id_client = 4) x SET c.nom = x.nom, c.ville = UPPER(x.ville) WHERE c.id_client = 3",
		"ALTER TABLE intervenants DROP PRIMARY KEY",
		"INSERT INTO intervenants SELECT id_intervenant, nom, prenom, CONCAT('x', email), agence, specialite, date_embauche, run_id, source_file, source_line, origin_file, origin_line, row_sha FROM intervenants WHERE id_intervenant = 4",
		"ALTER TABLE affectations DROP INDEX uq_affectations_key",
		"UPDATE affectations b JOIN affectations a ON a.id_affectation = 1 SET b.id_projet = a.id_projet, b.id_intervenant = a.id_intervenant, b.role = a.role, b.date_debut = a.date_debut, b.date_fin = a.date_fin, b.site = a.site WHERE b.id_affectation = 2",
		"UPDATE affectations SET jours = -1 WHERE id_affectation = 3",
		"UPDATE projets SET id_client = 88888 WHERE id_projet = 1",
		"UPDATE affectations SET id_intervenant = 99999 WHERE id_affectation IN (4, 5)",
		"UPDATE affectations SET id_projet = 66666 WHERE id_affectation = 7",
		// Columns the schema no longer bounds: their checks must run, not pass on the
		// schema's word.
		"ALTER TABLE affectations MODIFY date_debut DATE NULL",
		"UPDATE affectations SET date_debut = NULL WHERE id_affectation = 8",
		"ALTER TABLE affectations MODIFY site VARCHAR(120)",
		"UPDATE affectations SET site = REPEAT('x', 100) WHERE id_affectation = (SELECT MIN(id_affectation) FROM (SELECT a.id_affectation FROM affectations a" +
			" WHERE a.id_affectation > 8 AND NOT EXISTS (SELECT 1 FROM projet_sites s WHERE s.id_projet = a.id_projet)) x)",
		"INSERT INTO projet_sites SELECT 77777, site, run_id, source_file, source_line, origin_file, origin_line FROM projet_sites LIMIT 1",
		"UPDATE affectations a JOIN projets p ON p.id_projet = a.id_projet SET a.date_debut = p.date_debut - INTERVAL 1 DAY WHERE a.id_affectation = 6",
		"UPDATE affectations SET site = 'Nulle-Part' WHERE id_affectation = (SELECT MIN(id_affectation) FROM (SELECT a.id_affectation FROM affectations a JOIN projet_sites s ON s.id_projet = a.id_projet WHERE a.id_affectation > 6) x)",
		"UPDATE clients SET source_line = 0 WHERE id_client = 8",
		"UPDATE intervenants SET run_id = 'ghost' WHERE id_intervenant = 3"} {
		if _, err := conn.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	ctx := context.Background()
	db := storeOf(t, dsn)
	d := domain.Clevity()
	checks := validate.Checks(d, model.Date{Year: 2026, Month: 11, Day: 15})
	counting := &rowCounting{DB: db}
	sharedVols, shared, err := validate.Run(ctx, counting, d, checks)
	if err != nil {
		t.Fatal(err)
	}
	aloneVols, alone, err := validate.Run(ctx, uncounted{db}, d, checks)
	if err != nil {
		t.Fatal(err)
	}
	// Every table has a pass, which counts its rows: no COUNT(*) of its own. With the
	// passes refused, each table is counted alone, to the same volumes, which are the
	// tables' rows.
	if n := counting.calls.Load(); n != 0 {
		t.Errorf("%d tables counted by a query of their own beside their pass, want 0", n)
	}
	if !slices.Equal(sharedVols, aloneVols) || len(sharedVols) != len(validate.Tables(d))-2 {
		t.Errorf("volumes from the passes %v, counted alone %v", sharedVols, aloneVols)
	}
	for _, v := range sharedVols {
		var n int
		if err := conn.QueryRow("SELECT COUNT(*) FROM " + v.Table).Scan(&n); err != nil || n != v.Rows || n == 0 {
			t.Errorf("%s: %d rows in the volumes, %d in the table (%v)", v.Table, v.Rows, n, err)
		}
	}
	failed := 0
	for i, a := range alone {
		s := shared[i]
		if s.Name != a.Name || s.Status != a.Status || s.Count != a.Count || !slices.Equal(s.Sample, a.Sample) || s.Error != a.Error {
			t.Errorf("%s: shared pass %s %d %v %q, alone %s %d %v %q", a.Name, s.Status, s.Count, s.Sample, s.Error, a.Status, a.Count, a.Sample, a.Error)
		}
		if a.Status == validate.Fail {
			failed++
		}
	}
	if failed < 18 {
		t.Errorf("%d checks failed: the damage should break at least 18", failed)
	}
	// The checks whose counts ride on a pass that joins (orphans beside the parent
	// rules), that count distinct groups (natural keys on LOWER(TRIM())) or groups along
	// an index (a line claimed twice), or that the schema proves on an intact database
	// (a NOT NULL column, a short varchar, a primary key, a unique index).
	for _, name := range []string{"affectations.id_projet -> projets", "affectations within_parent_dates",
		"affectations site_in_parent_sites", "clients.nom+ville unique", "projet_sites.id_projet -> projets",
		"affectations.date_debut MISSING_REQUIRED", "affectations.site TOO_LONG", "intervenants.id_intervenant unique",
		"clients.email unique", "affectations.id_projet+id_intervenant+role+date_debut unique",
		"intervenants source lines claimed twice"} {
		i := slices.IndexFunc(shared, func(r validate.Result) bool { return r.Name == name })
		if i < 0 || shared[i].Status == validate.Pass || shared[i].Count != 1 {
			t.Errorf("%s: want 1 offender, got %+v", name, shared[max(i, 0)])
		}
	}
}

// countsRecording is the store that records the count queries it is sent.
type countsRecording struct {
	*mariadb.DB
	mu      sync.Mutex
	queries []string
}

func (r *countsRecording) Counts(ctx context.Context, query string) ([]int64, error) {
	r.mu.Lock()
	r.queries = append(r.queries, query)
	r.mu.Unlock()
	return r.DB.Counts(ctx, query)
}

// TestPassCountsChecksApartOnlyWhenOneOffends: the checks of a pass are counted together
// first. On a database that passes, each pass is one query; a row that breaks one check
// of the affectations pass makes that pass, and no other, count its checks apart, and
// the check fails with its one row, as before.
func TestPassCountsChecksApartOnlyWhenOneOffends(t *testing.T) {
	t.Parallel()
	dsn := migrated(t)
	ctx := context.Background()
	db := storeOf(t, dsn)
	d := domain.Clevity()
	checks := validate.Checks(d, model.Date{Year: 2026, Month: 11, Day: 15})
	passes := map[string]bool{}
	for _, c := range checks {
		if c.Pass != "" {
			passes[c.Pass] = true
		}
	}
	// run validates and returns its results and how many count queries read each pass.
	// No pass counts distinct lineages: the lines claimed twice are counted along the
	// lineage index, by a query of their own.
	run := func() ([]validate.Result, map[string]int) {
		rec := &countsRecording{DB: db}
		_, results, err := validate.Run(ctx, rec, d, checks)
		if err != nil {
			t.Fatal(err)
		}
		reads := map[string]int{}
		for _, q := range rec.queries {
			for p := range passes {
				if strings.HasSuffix(q, " FROM "+p) {
					reads[p]++
				}
			}
			if strings.Contains(q, "COUNT(DISTINCT (CRC32(") {
				t.Errorf("a pass counts distinct lineages, which the lineage index groups: %.200s", q)
			}
		}
		return results, reads
	}
	results, reads := run()
	for _, r := range results {
		if r.Status != validate.Pass {
			t.Errorf("%s: %s %d %v on a database that passes", r.Name, r.Status, r.Count, r.Sample)
		}
	}
	for p := range passes {
		if reads[p] != 1 {
			t.Errorf("pass %s read by %d count queries, want 1", p, reads[p])
		}
	}

	conn := openDB(t, dsn)
	conn.SetMaxOpenConns(1)
	for _, stmt := range []string{"SET SESSION check_constraint_checks = 0",
		"UPDATE affectations SET jours = -1, row_sha = NULL WHERE id_affectation = 3"} {
		if _, err := conn.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	results, reads = run()
	for p := range passes {
		want := 1
		if p == "`affectations` c" {
			want = 2
		}
		if reads[p] != want {
			t.Errorf("pass %s read by %d count queries, want %d", p, reads[p], want)
		}
	}
	failed := map[string]int{}
	for _, r := range results {
		if r.Status != validate.Pass {
			failed[r.Name] = r.Count
		}
	}
	want := map[string]int{"affectations.jours OUT_OF_RANGE": 1, "affectations rows changed outside the toolkit": 1}
	if !maps.Equal(failed, want) {
		t.Errorf("checks not passing: %v, want %v", failed, want)
	}
}
