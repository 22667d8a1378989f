package mariadb_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"dmt/pkg/domain"
	"dmt/pkg/mariadb"
	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/store"
)

// TestLoadBatchStoredTwins: rows another run stored between the checker's look-up and
// the insert (Galera issue #19, item 6). Those stored identical come back as Loaded
// refusals, counted as ignored, with no rejection recorded; a row stored with other
// content is refused (DB_REFUSED); the batch's other rows are written.
func TestLoadBatchStoredTwins(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := openThrough(t)
	// Clients 2-11 are stored by an earlier batch ("the other run").
	if _, err := db.LoadBatch(ctx, clientsBatch(1, 2, 10, 0)); err != nil {
		t.Fatal(err)
	}
	// Batch 2 holds clients 2-31: 2-11 identical to the stored ones, but client 5 with
	// another name.
	b := clientsBatch(2, 2, 30, 0)
	b.Rows[3].Values[1] = "Autre nom"
	refused, err := db.LoadBatch(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	loaded, other := 0, 0
	for _, r := range refused {
		switch {
		case r.Loaded && r.Row.Line != 5:
			loaded++
		case !r.Loaded && r.Row.Line == 5:
			other++
		default:
			t.Errorf("refused %+v", r)
		}
	}
	if loaded != 9 || other != 1 {
		t.Errorf("%d rows found already loaded and %d refused, want 9 and 1", loaded, other)
	}
	// Batch 1: 10 inserted, 2 rejected, 1 ignored; batch 2: 20 inserted, 9 already
	// loaded (+1 ignored by the checks), 1 refused (+2 rejected by the checks).
	want := fmt.Sprintf("clients %d, rejections 4 + 1 DB_REFUSED, 2 batches; journal_files 46 30 5 11; journal_batches 46 30 5 11", 30)
	if got := counts(t, db); got != want {
		t.Errorf("after the batch:\n got %s\nwant %s", got, want)
	}
}

// TestLoadBatchTwinsAfterLostCommit: a batch that finds twins (rows another run stored
// identical since the checker looked) and a row stored with other content, and has one
// row the database refuses, loses its connection at COMMIT, or is sent again once
// committed. Whether the COMMIT was applied (the batch is found committed and not
// written again) or not (it is written again), LoadBatch returns the same refusals as
// when nothing was lost, twins among them, and the journal's counts are those of the
// rows in the tables.
func TestLoadBatchTwinsAfterLostCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, how := range []string{"no cut", "after commit", "before commit", "sent again"} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()
			db, proxy := openThrough(t)
			// Clients 2-11 are stored by run r0 ("the other run").
			if err := db.StartRun(ctx, store.Run{ID: "r0", Tool: "migration", Domain: "clevity"}); err != nil {
				t.Fatal(err)
			}
			if err := db.AddFile(ctx, "r0", "clients.csv", "clients"); err != nil {
				t.Fatal(err)
			}
			other := clientsBatch(1, 2, 10, 0)
			other.RunID = "r0"
			if _, err := db.LoadBatch(ctx, other); err != nil {
				t.Fatal(err)
			}
			// Run r1's batch holds clients 2-31: 2-11 as stored, but client 5 with
			// another name; client 20 has an e-mail the database refuses.
			b := clientsBatch(1, 2, 30, 20)
			b.Rows[3].Values[1] = "Autre nom"
			switch how {
			case "after commit":
				proxy.CutAt(1, mariadbtest.AfterCommit, false)
			case "before commit":
				proxy.CutAt(1, mariadbtest.BeforeCommit, false)
			case "sent again":
				first := clientsBatch(1, 2, 30, 20)
				first.Rows[3].Values[1] = "Autre nom"
				if _, err := db.LoadBatch(ctx, first); err != nil {
					t.Fatal(err)
				}
			}
			refused, err := db.LoadBatch(ctx, b)
			if err != nil {
				t.Fatal(err)
			}
			if how != "no cut" && how != "sent again" && (proxy.Cuts() != 1 || b.Recovered == "") {
				t.Fatalf("%d connections cut, Recovered %q: want 1 and what happened", proxy.Cuts(), b.Recovered)
			}
			slices.SortFunc(refused, func(x, y store.Refusal) int { return x.Row.Line - y.Row.Line })
			var got []string
			for _, r := range refused {
				got = append(got, fmt.Sprintf("%d loaded=%v", r.Row.Line, r.Loaded))
			}
			want := "2 loaded=true, 3 loaded=true, 4 loaded=true, 5 loaded=false, 6 loaded=true, 7 loaded=true, 8 loaded=true, 9 loaded=true, 10 loaded=true, 11 loaded=true, 20 loaded=false"
			if strings.Join(got, ", ") != want {
				t.Errorf("refused:\n got %s\nwant %s", strings.Join(got, ", "), want)
			}
			// r1: 30 rows read, 19 inserted, 2 refused (+2 rejected by the checks), 9
			// twins (+1 ignored by the checks); the tables hold r0's 10 and r1's 19.
			wantCounts := "clients 29, rejections 4 + 2 DB_REFUSED, 2 batches; journal_files 33 19 4 10; journal_batches 33 19 4 10"
			if got := counts(t, db); got != wantCounts {
				t.Errorf("after the batch:\n got %s\nwant %s", got, wantCounts)
			}
		})
	}
}

// TestLoadBatchFoundCommittedChangedSince: a batch found committed whose rows no longer
// add up to its journal_batches counts (another run replaced one of them since) is an
// error that says so, not counts that disagree with the journal.
func TestLoadBatchFoundCommittedChangedSince(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := openThrough(t)
	if _, err := db.LoadBatch(ctx, clientsBatch(1, 2, 10, 0)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool().Exec("UPDATE clients SET run_id = 'r9' WHERE id_client = 4"); err != nil {
		t.Fatal(err)
	}
	_, err := db.LoadBatch(ctx, clientsBatch(1, 2, 10, 0))
	if err == nil || !strings.Contains(err.Error(), "clients.csv: batch 1 (lines 2-14) found committed, but its journal counts (inserted 10, rejected 2, ignored 1) are not those of its rows in the database (9, 2, 2)") {
		t.Errorf("LoadBatch of a batch changed since its commit: %v", err)
	}
}

// TestLoadBatchUpdatesAfterLostCommit: a batch that replaces a reference row (its
// earlier values kept in the history table) and inserts another loses its connection
// at COMMIT. Applied or not, the row is replaced once: one history row, the old values
// returned for the log, and the journal's counts those of the tables.
func TestLoadBatchUpdatesAfterLostCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := domain.Distributech().Entity("regions")
	const file = "distributech.sqlite:regions"
	for _, how := range []mariadbtest.Cut{mariadbtest.AfterCommit, mariadbtest.BeforeCommit} {
		t.Run(how.String(), func(t *testing.T) {
			t.Parallel()
			proxy, dsn := mariadbtest.NewProxy(t, mariadbtest.NewDatabase(t))
			db, err := mariadb.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if err := db.Migrate(ctx, "distributech", "test"); err != nil {
				t.Fatal(err)
			}
			if err := db.StartRun(ctx, store.Run{ID: "r1", Tool: "migration", Domain: "distributech"}); err != nil {
				t.Fatal(err)
			}
			if err := db.AddFile(ctx, "r1", file, "regions"); err != nil {
				t.Fatal(err)
			}
			b := &store.Batch{RunID: "r1", Tool: "migration", File: file, Seq: 1, Entity: e, Date: "2026-11-20",
				Rows:     []store.Row{{Line: 2, Values: []string{"1", "Nord"}}, {Line: 3, Values: []string{"2", "Sud"}}},
				Progress: store.Progress{First: 2, Line: 3, Read: 2, Inserted: 2}}
			if _, err := db.LoadBatch(ctx, b); err != nil {
				t.Fatal(err)
			}
			proxy.CutAt(1, how, false)
			b = &store.Batch{RunID: "r1", Tool: "migration", File: file, Seq: 2, Entity: e, Date: "2026-11-20",
				Updates:  []store.Row{{Line: 4, Values: []string{"2", "Sud-Ouest"}}},
				Rows:     []store.Row{{Line: 5, Values: []string{"3", "Est"}}},
				Progress: store.Progress{First: 4, Line: 5, Read: 2, Inserted: 1, Updated: 1}}
			if _, err := db.LoadBatch(ctx, b); err != nil {
				t.Fatal(err)
			}
			if proxy.Cuts() != 1 || b.Recovered == "" {
				t.Fatalf("%d connections cut, Recovered %q: want 1 and what happened", proxy.Cuts(), b.Recovered)
			}
			if got := fmt.Sprint(b.Old); got != "map[4:[2 Sud]]" {
				t.Errorf("old values %s, want map[4:[2 Sud]]", got)
			}
			var got string
			if err := db.Pool().Get(&got, "SELECT CONCAT_WS(' | ',"+
				" (SELECT GROUP_CONCAT(id_region, ' ', nom ORDER BY id_region) FROM regions),"+
				" (SELECT GROUP_CONCAT(id_region, ' ', nom, ' ', run_id, ' ', source_line) FROM regions_historique),"+
				" (SELECT CONCAT_WS(' ', `read`, inserted, updated) FROM journal_files WHERE run_id = 'r1'),"+
				" (SELECT CONCAT_WS(' ', COUNT(*), SUM(`read`), SUM(inserted), SUM(updated)) FROM journal_batches WHERE run_id = 'r1'))"); err != nil {
				t.Fatal(err)
			}
			if want := "1 Nord,2 Sud-Ouest,3 Est | 2 Sud r1 4 | 4 3 1 | 2 4 3 1"; got != want {
				t.Errorf("regions | history | journal_files | journal_batches:\n got %s\nwant %s", got, want)
			}
		})
	}
}

// TestLoadBatchWithoutRowsAfterLostCommit: a batch of rejected and ignored rows only
// loses its connection at COMMIT: its rejections are recorded and counted once.
func TestLoadBatchWithoutRowsAfterLostCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, how := range []mariadbtest.Cut{mariadbtest.AfterCommit, mariadbtest.BeforeCommit} {
		t.Run(how.String(), func(t *testing.T) {
			t.Parallel()
			db, proxy := openThrough(t)
			proxy.CutAt(1, how, false)
			b := clientsBatch(1, 2, 0, 0)
			if refused, err := db.LoadBatch(ctx, b); err != nil || len(refused) != 0 {
				t.Fatalf("LoadBatch: %v refused, %v", refused, err)
			}
			if proxy.Cuts() != 1 || b.Recovered == "" {
				t.Fatalf("%d connections cut, Recovered %q: want 1 and what happened", proxy.Cuts(), b.Recovered)
			}
			want := "clients 0, rejections 2 + 0 DB_REFUSED, 1 batches; journal_files 3 0 2 1; journal_batches 3 0 2 1"
			if got := counts(t, db); got != want {
				t.Errorf("after the batch:\n got %s\nwant %s", got, want)
			}
		})
	}
}

// TestLoadBatchCompositeTwinsAfterLostCommit: an order line (a key of two columns, an
// order header derived from it, a stock movement written after it) stored identical by
// an earlier run, and another stored with a different quantity, in a batch whose
// COMMIT is cut after or before it applied: the first is already loaded, the second
// refused, the new line written once with its movement, and the journal agrees.
func TestLoadBatchCompositeTwinsAfterLostCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := domain.Distributech()
	const file = "commandes/semaine2.csv"
	for _, how := range []mariadbtest.Cut{mariadbtest.AfterCommit, mariadbtest.BeforeCommit} {
		t.Run(how.String(), func(t *testing.T) {
			t.Parallel()
			proxy, dsn := mariadbtest.NewProxy(t, mariadbtest.NewDatabase(t))
			db, err := mariadb.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if err := db.Migrate(ctx, "distributech", "test"); err != nil {
				t.Fatal(err)
			}
			if err := db.StartRun(ctx, store.Run{ID: "r1", Tool: "migration", Domain: "distributech"}); err != nil {
				t.Fatal(err)
			}
			loadCases(t, db, d) // run r1: orders C1 (SMA-0001, SMA-0002) and C2 (SMA-0002)
			if err := db.StartRun(ctx, store.Run{ID: "r2", Tool: "migration", Domain: "distributech"}); err != nil {
				t.Fatal(err)
			}
			if err := db.AddFile(ctx, "r2", file, "lignes_commande"); err != nil {
				t.Fatal(err)
			}
			b := &store.Batch{RunID: "r2", Tool: "migration", File: file, Seq: 1, Entity: d.Entity("lignes_commande"),
				Rows: []store.Row{
					{Line: 2, Values: []string{"C2", "2", "2026-02-11", "SMA-0002", "7", "1.00"}},   // as stored
					{Line: 3, Values: []string{"C3", "2", "2026-02-12", "SMA-0001", "1", "249.90"}}, // new
					{Line: 4, Values: []string{"C1", "1", "2026-02-10", "SMA-0001", "4", "199.90"}}, // 3 stored
				},
				Progress: store.Progress{First: 2, Line: 4, Read: 3, Inserted: 3}}
			proxy.CutAt(1, how, false)
			refused, err := db.LoadBatch(ctx, b)
			if err != nil {
				t.Fatal(err)
			}
			if proxy.Cuts() != 1 || b.Recovered == "" {
				t.Fatalf("%d connections cut, Recovered %q: want 1 and what happened", proxy.Cuts(), b.Recovered)
			}
			slices.SortFunc(refused, func(x, y store.Refusal) int { return x.Row.Line - y.Row.Line })
			var got []string
			for _, r := range refused {
				got = append(got, fmt.Sprintf("%d loaded=%v", r.Row.Line, r.Loaded))
			}
			if want := "2 loaded=true, 4 loaded=false"; strings.Join(got, ", ") != want {
				t.Errorf("refused %s, want %s", strings.Join(got, ", "), want)
			}
			var counts string
			if err := db.Pool().Get(&counts, "SELECT CONCAT_WS(' | ',"+
				" (SELECT GROUP_CONCAT(numero_commande, '/', ref_produit, ' ', quantite ORDER BY source_line) FROM lignes_commande WHERE run_id = 'r2'),"+
				" (SELECT GROUP_CONCAT(reference, '/', ref_produit, ' ', quantite) FROM mouvements_stock WHERE run_id = 'r2'),"+
				" (SELECT COUNT(*) FROM rejections WHERE run_id = 'r2'),"+
				" (SELECT CONCAT_WS(' ', `read`, inserted, rejected, ignored) FROM journal_files WHERE run_id = 'r2'),"+
				" (SELECT CONCAT_WS(' ', SUM(`read`), SUM(inserted), SUM(rejected), SUM(ignored)) FROM journal_batches WHERE run_id = 'r2'))"); err != nil {
				t.Fatal(err)
			}
			if want := "C3/SMA-0001 1 | C3/SMA-0001 -1 | 1 | 3 1 1 1 | 3 1 1 1"; counts != want {
				t.Errorf("lines | movements | rejections | journal_files | journal_batches of r2:\n got %s\nwant %s", counts, want)
			}
		})
	}
}
