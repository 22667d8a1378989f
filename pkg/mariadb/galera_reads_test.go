package mariadb_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"testing"
	"time"

	"dmt/pkg/mariadb"
	"dmt/pkg/mariadb/mariadbtest"
)

// TestGaleraWriterReadsCatchUpOnce: a loading run's connection to a Galera node waits,
// when it is made, until the node has applied what the cluster committed before; its
// reads after that do not wait (a reader's wait at each read). Node 2 is kept from
// applying by a LOCK TABLES of the lease's table there, while node 1 takes the lease,
// then releases it.
func TestGaleraWriterReadsCatchUpOnce(t *testing.T) {
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

	raw, err := sql.Open("mysql", c.OnNode(dsn, 2))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	locker, err := raw.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer locker.Close()
	// lockFor holds node 2's applier back until d has passed: a write-set that writes
	// run_lease waits there for the lock, and every later one behind it. The channel
	// closes once the lock is gone. (6 s: the reads that must not wait come first, on a
	// busy machine too.)
	lockFor := func(d time.Duration) chan struct{} {
		t.Helper()
		if _, err := locker.ExecContext(ctx, "LOCK TABLES run_lease READ"); err != nil {
			t.Fatal(err)
		}
		gone := make(chan struct{})
		time.AfterFunc(d, func() {
			defer close(gone)
			if _, err := locker.ExecContext(ctx, "UNLOCK TABLES"); err != nil {
				t.Errorf("UNLOCK TABLES on node 2: %v", err)
			}
		})
		return gone
	}

	// Opened before the lock: its connection to come, not this one, reads.
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	w, err := mariadb.OpenLoad(ctx, c.OnNode(dsn, 2), false, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()

	// The lease taken on node 1 while node 2 applies nothing: the writer's connection,
	// made now, waits until node 2 has applied it, and sees the run loading.
	gone := lockFor(6 * time.Second)
	live, err := a.AcquireLease(ctx, lease("live", time.Minute, nil))
	if err != nil {
		t.Fatal(err)
	}
	if loading, err := w.LoadInProgress(ctx); err != nil || !loading {
		t.Errorf("writer on node 2, first read: load in progress %v (%v), want true: its connection did not wait for node 2 to apply the lease node 1 committed", loading, err)
	}

	// A writer whose DSN sets wsrep_sync_wait keeps it: its connection made now.
	<-gone
	kept, err := mariadb.OpenLoad(ctx, c.OnNode(dsn, 2)+"?wsrep_sync_wait=1", false, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer kept.Close()
	if _, err := kept.LoadInProgress(ctx); err != nil {
		t.Fatal(err)
	}

	// The lease released on node 1 while node 2 applies nothing again: the writer's
	// connection, made already, reads node 2 as it is (the run still loading); a reader
	// and the writer whose DSN asks it wait, and see the lease released.
	gone = lockFor(6 * time.Second)
	live.Release()
	if loading, err := w.LoadInProgress(ctx); err != nil || !loading {
		t.Errorf("writer on node 2, next read: load in progress %v (%v), want true (node 2 not yet applied the release): its reads wait each", loading, err)
	}
	if loading, err := kept.LoadInProgress(ctx); err != nil || loading {
		t.Errorf("writer on node 2 with wsrep_sync_wait=1 in its DSN: load in progress %v (%v), want false: its read did not wait", loading, err)
	}
	r := openDSN(t, c.OnNode(dsn, 2))
	if loading, err := r.LoadInProgress(ctx); err != nil || loading {
		t.Errorf("reader on node 2: load in progress %v (%v), want false: its read did not wait for node 2 to apply the release", loading, err)
	}
	<-gone
}
