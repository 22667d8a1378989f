package mariadb_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"dmt/pkg/mariadb"
	"dmt/pkg/mariadb/mariadbtest"
)

// TestGaleraReadsWaitForTheCluster: a read on a Galera node waits until the node has
// applied what the cluster committed before it (wsrep_sync_wait), for a loading run's
// connections as for a reader's: a node that lags does not answer with what it held
// before. Node 2 is kept from applying by a LOCK TABLES of the lease's table there
// while node 1 takes the lease; both reads on node 2 must see the run loading.
func TestGaleraReadsWaitForTheCluster(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c := mariadbtest.Galera(t)
	dsn := c.NewDatabase(t)
	a := openDSN(t, c.OnNode(dsn, 1))
	first, err := a.AcquireLease(ctx, lease("first", time.Minute, nil)) // makes run_lease
	if err != nil {
		t.Fatal(err)
	}
	first.Release()

	w, err := mariadb.OpenLoad(ctx, c.OnNode(dsn, 2), false, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	r := openDSN(t, c.OnNode(dsn, 2))
	for _, db := range []*mariadb.DB{w, r} { // their connections made before the lock
		if _, err := db.LoadInProgress(ctx); err != nil {
			t.Fatal(err)
		}
	}

	// The write-set that takes the lease waits on node 2 for the lock, and every later
	// one behind it, for 6 s: the reads below come well before, on a busy machine too.
	locker := mariadbtest.HoldOn(t, c.OnNode(dsn, 2), "LOCK TABLES run_lease READ")
	gone := make(chan struct{})
	time.AfterFunc(6*time.Second, func() {
		defer close(gone)
		if _, err := locker.ExecContext(ctx, "UNLOCK TABLES"); err != nil {
			t.Errorf("UNLOCK TABLES on node 2: %v", err)
		}
	})
	defer func() { <-gone }()

	live, err := a.AcquireLease(ctx, lease("live", time.Minute, nil))
	if err != nil {
		t.Fatal(err)
	}
	defer live.Release()
	for name, db := range map[string]*mariadb.DB{"a loading run's": w, "a reader's": r} {
		if loading, err := db.LoadInProgress(ctx); err != nil || !loading {
			t.Errorf("%s read on node 2: load in progress %v (%v), want true: it did not wait for node 2 to apply the lease node 1 took", name, loading, err)
		}
	}
}
