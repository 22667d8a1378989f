package mariadb_test

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"testing"

	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/store"
)

// TestGaleraBatchSplit: a cluster whose write-set limit was lowered after the run
// read it (wsrep_max_ws_rows, then wsrep_max_ws_size) refuses a batch whole (1180
// wsrep_max_ws_rows exceeded, 1105 Maximum writeset size exceeded); the batch is split
// in pieces, each committed with its own journal marker, and everything is loaded once:
// the row the database refuses is refused once, the journal adds up. The limits are
// read again, so the next batches are sized under them. A single server without wsrep
// ignores these limits: only a cluster can refuse.
func TestGaleraBatchSplit(t *testing.T) {
	ctx := context.Background()
	c := mariadbtest.Galera(t)
	for _, tc := range []struct {
		limit, code string
		name        string
		value       int64
	}{
		{name: "rows", limit: "wsrep_max_ws_rows", value: 500, code: "Error 1180"},
		{name: "bytes", limit: "wsrep_max_ws_size", value: 65536, code: "Error 1105"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dsn := c.NewDatabase(t)
			db := openDSN(t, dsn)
			if err := db.Migrate(ctx, "clevity", "r0"); err != nil {
				t.Fatal(err)
			}
			if err := db.StartRun(ctx, store.Run{ID: "r1", Tool: "migration", Domain: "clevity"}); err != nil {
				t.Fatal(err)
			}
			if err := db.AddFile(ctx, "r1", "clients.csv", "clients"); err != nil {
				t.Fatal(err)
			}
			setGlobal(t, c, tc.limit, tc.value)
			b := clientsBatch(1, 2, 3000, 60)
			if db.BatchFull(b) {
				t.Fatal("BatchFull before the split: the limit was read at Open, before it was lowered")
			}
			refused, err := db.LoadBatch(ctx, b)
			if err != nil {
				t.Fatalf("LoadBatch over %s = %d: %v", tc.limit, tc.value, err)
			}
			t.Logf("recovered: %s", b.Recovered)
			if !strings.Contains(b.Recovered, "written in") || !strings.Contains(b.Recovered, tc.code) {
				t.Errorf("Recovered = %q, want the split and %s", b.Recovered, tc.code)
			}
			if len(refused) != 1 || refused[0].Row.Line != 60 {
				t.Errorf("refused %+v, want line 60 only", refused)
			}
			got := counts(t, db)
			var pieces int
			if err := db.Pool().Get(&pieces, "SELECT COUNT(*) FROM journal_batches"); err != nil {
				t.Fatal(err)
			}
			if pieces < 2 {
				t.Errorf("%d journal_batches rows, want one per piece", pieces)
			}
			want := "clients 2999, rejections 2 + 1 DB_REFUSED, " + strconv.Itoa(pieces) + " batches; journal_files 3003 2999 3 1; journal_batches 3003 2999 3 1"
			if got != want {
				t.Errorf("after the split:\n got %s\nwant %s", got, want)
			}
			if !db.BatchFull(clientsBatch(2, 5000, 3000, 0)) {
				t.Errorf("BatchFull of 3,000 rows after the split = false: the lowered limit was not read again")
			}
		})
	}
}

// setGlobal sets a global variable on every node of c, and back to its value when the
// test ends.
func setGlobal(t *testing.T, c *mariadbtest.Cluster, name string, value int64) {
	t.Helper()
	for _, node := range c.Node {
		db, err := sql.Open("mysql", node)
		if err != nil {
			t.Fatal(err)
		}
		var was int64
		if err := db.QueryRow("SELECT @@global." + name).Scan(&was); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec("SET GLOBAL "+name+" = ?", value); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if _, err := db.Exec("SET GLOBAL "+name+" = ?", was); err != nil {
				t.Errorf("reset %s: %v", name, err)
			}
			db.Close()
		})
	}
}
