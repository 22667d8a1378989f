package mariadb_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"dmt/pkg/mariadb"
	"dmt/pkg/mariadb/mariadbtest"
)

// TestGaleraLeaseAcrossNodes: the run lease holds across the nodes of a cluster (where
// GET_LOCK would be local to one node). Runs on two nodes trying at once take turns,
// never holding it together; a run whose node dies keeps it until it expires, and only
// then does a run on another node take it over.
func TestGaleraLeaseAcrossNodes(t *testing.T) {
	// A wedged cluster fails the test instead of hanging it.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c := mariadbtest.Galera(t)
	dsn := c.NewDatabase(t)
	a, b := openDSN(t, c.OnNode(dsn, 1)), openDSN(t, c.OnNode(dsn, 2))

	// Two runs, one per node, each taking the lease 5 times, holding it 300 ms.
	var mu sync.Mutex
	holders := 0
	var wg sync.WaitGroup
	for _, db := range []*mariadb.DB{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				l, err := db.AcquireLease(ctx, lease("run-"+db.Cfg.Addr, 10*time.Second, nil))
				if err != nil {
					t.Errorf("AcquireLease on %s: %v", db.Cfg.Addr, err)
					return
				}
				mu.Lock()
				holders++
				if holders > 1 {
					t.Errorf("two runs hold the lease at once (%s and the other node's)", db.Cfg.Addr)
				}
				mu.Unlock()
				time.Sleep(300 * time.Millisecond)
				mu.Lock()
				holders--
				mu.Unlock()
				l.Release()
			}
		}()
	}
	wg.Wait()

	// A run on node 1 holds the lease; node 1 dies. A run on node 2 waits for the
	// lease to expire (it was renewed at most a quarter of its life before the kill).
	const life = 8 * time.Second
	la, err := a.AcquireLease(ctx, lease("run-on-node-1", life, nil))
	if err != nil {
		t.Fatal(err)
	}
	defer la.Release()
	time.Sleep(life / 2)
	c.Kill(t, 1)
	killed := time.Now()
	req, took := tookOver("run-on-node-2", life, nil)
	lb, err := b.AcquireLease(ctx, req)
	if err != nil {
		t.Fatalf("AcquireLease on node 2 after node 1 died: %v", err)
	}
	defer lb.Release()
	if waited := time.Since(killed); waited < life*3/4-time.Second {
		t.Errorf("node 2 took the lease %s after node 1 died, before the lease could expire (%s at least)", waited.Round(time.Millisecond), life*3/4)
	}
	if len(*took) != 1 || (*took)[0].RunID != "run-on-node-1" {
		t.Errorf("TookOver was told %+v, want once run-on-node-1", *took)
	}
	c.Start(t)
}
