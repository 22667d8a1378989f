package main

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"testing"
	"time"

	"dmt/pkg/mariadb"
	"dmt/pkg/mariadb/mariadbtest"
)

// TestGaleraTwoDistributechRunsOnTwoNodes: two distributech migrations of the same
// folder, one through node 1 and one through node 2, at once, on an empty database
// (both would create the schema) and on one whose schema is current (neither may send
// DDL). Concurrent DDL on two nodes (CREATE OR REPLACE VIEW) once froze every write of
// the cluster: here each run must end within minutes (the test fails on a timeout, and
// a write on every node must then go through within a minute), the runs take turns on
// the run lease, and every node holds the content of a single run on a single server.
func TestGaleraTwoDistributechRunsOnTwoNodes(t *testing.T) {
	c := mariadbtest.Galera(t)
	data := distributechData(t, "7", 6, "0")
	ref := mariadbtest.NewDatabase(t)
	if res := dtMigration(t, ref, data); res.code != 0 {
		t.Fatalf("single-server reference run: exit %d: %s", res.code, res.stderr)
	}
	want := dtContent(t, ref)

	for _, tc := range []struct {
		name   string
		schema bool
	}{
		{"empty database", false},
		{"schema current", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dsn := c.NewDatabase(t)
			if tc.schema {
				db, err := mariadb.Open(context.Background(), dsn)
				if err != nil {
					t.Fatal(err)
				}
				err = db.Migrate(context.Background(), "distributech", "r0")
				db.Close()
				if err != nil {
					t.Fatal(err)
				}
			}
			var wg sync.WaitGroup
			results := make([]result, 2)
			for k := range results {
				wg.Add(1)
				go func() {
					defer wg.Done()
					results[k] = runWithin(t, 10*time.Minute, nil, "migration", "-dsn", c.OnNode(dsn, k+1), "-domain", "distributech",
						"-today", dtToday, "-out", t.TempDir(), data)
				}()
			}
			wg.Wait()
			waited := 0
			for k, r := range results {
				if r.code != 0 {
					t.Errorf("run on node %d: exit %d: %s", k+1, r.code, r.stderr)
				}
				if strings.Contains(r.stderr, "waiting") {
					waited++
				}
			}
			if waited != 1 {
				t.Errorf("%d runs said they were waiting for the other, want 1", waited)
			}
			for n := 1; n <= 3; n++ {
				nodeDSN := mariadbtest.Causal(c.OnNode(dsn, n))
				writable(t, nodeDSN, n)
				if got := dtContent(t, nodeDSN); got != want {
					t.Errorf("node %d: content differs from the single-server run (%d vs %d bytes)", n, len(got), len(want))
				}
				db := openDB(t, nodeDSN)
				if k := count(t, db, "SELECT COUNT(*) FROM rejections"); k != 0 {
					t.Errorf("node %d: %d rejections, want none (no defects; the second run finds rows already loaded)", n, k)
				}
				if k := count(t, db, "SELECT COUNT(*) FROM journal WHERE status <> 'ok'"); k != 0 {
					t.Errorf("node %d: %d runs not ok in the journal", n, k)
				}
			}
		})
	}
}

// writable fails the test when a write through node n does not commit within a
// minute: the cluster froze.
func writable(t *testing.T, dsn string, n int) {
	t.Helper()
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := db.ExecContext(ctx, "UPDATE journal SET status = status WHERE run_id = 'none'"); err != nil {
		t.Errorf("node %d: a write did not go through within a minute (a frozen cluster?): %v", n, err)
	}
}
