package mariadb_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"dmt/pkg/mariadb"
	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/store"
)

func openDSN(t *testing.T, dsn string) *mariadb.DB {
	t.Helper()
	db, err := mariadb.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func lease(runID string, d time.Duration, waiting func(store.LeaseHolder)) store.LeaseRequest {
	return store.LeaseRequest{Name: store.LoadLease, RunID: runID, Tool: "migration", Duration: d, Wait: time.Minute, Waiting: waiting}
}

// tookOver returns a request like lease's whose TookOver callback records, in the
// slice returned, the holders it is told.
func tookOver(runID string, d time.Duration, waiting func(store.LeaseHolder)) (store.LeaseRequest, *[]store.LeaseHolder) {
	req := lease(runID, d, waiting)
	var told []store.LeaseHolder
	req.TookOver = func(h store.LeaseHolder) { told = append(told, h) }
	return req, &told
}

// A lease is taken on an empty database (its table created), held while it is renewed
// (longer than its duration), waited for by the next run, and free at once when
// released.
func TestLeaseTakeTurns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := mariadbtest.NewDatabase(t)
	a, b := openDSN(t, dsn), openDSN(t, dsn)
	la, err := a.AcquireLease(ctx, lease("run-a", 2*time.Second, nil))
	if err != nil {
		t.Fatalf("AcquireLease on an empty database: %v", err)
	}
	if busy, err := b.LoadInProgress(ctx); err != nil || !busy {
		t.Errorf("LoadInProgress with a live lease = %v, %v; want true", busy, err)
	}
	released := make(chan time.Time, 1)
	go func() {
		time.Sleep(5 * time.Second) // 2.5 times the lease: renewals keep it
		if err := la.Err(); err != nil {
			t.Errorf("a renewed lease reports %v", err)
		}
		released <- time.Now()
		la.Release()
	}()
	var told []store.LeaseHolder
	req, took := tookOver("run-b", 2*time.Second, func(h store.LeaseHolder) { told = append(told, h) })
	lb, err := b.AcquireLease(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	got := time.Now()
	defer lb.Release()
	if releasing := <-released; got.Before(releasing) {
		t.Errorf("run-b took the lease %s before run-a released it", releasing.Sub(got))
	}
	if len(told) != 1 || told[0].RunID != "run-a" || told[0].Tool != "migration" {
		t.Errorf("Waiting was told %+v, want once run-a", told)
	}
	if len(*took) != 0 {
		t.Errorf("TookOver was told %+v after a release, want nothing", *took)
	}
	lb.Release()
	if busy, err := b.LoadInProgress(ctx); err != nil || busy {
		t.Errorf("LoadInProgress after the release = %v, %v; want false", busy, err)
	}
}

// A holder cut off from the server (its connections closed: it cannot renew) keeps the
// lease until it expires by the server's clock; then the waiting run takes it over, and
// the holder itself reports it lost, so it writes no further batch.
func TestLeaseExpiresAndIsTakenOver(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := mariadbtest.NewDatabase(t)
	a, b := openDSN(t, dsn), openDSN(t, dsn)
	la, err := a.AcquireLease(ctx, lease("run-a", 2*time.Second, nil))
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
	cut := time.Now()
	req, took := tookOver("run-b", 2*time.Second, nil)
	lb, err := b.AcquireLease(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	defer lb.Release()
	if waited := time.Since(cut); waited < time.Second {
		t.Errorf("run-b took the lease %s after run-a was cut off, before it could expire", waited)
	}
	if len(*took) != 1 || (*took)[0].RunID != "run-a" {
		t.Errorf("TookOver was told %+v, want once run-a", *took)
	}
	var lost *mariadb.LostLease
	if err := la.Err(); !errors.As(err, &lost) || !strings.Contains(err.Error(), "not renewed") {
		t.Errorf("the cut-off holder's Err() = %v, want a LostLease saying it was not renewed", err)
	}
	la.Release() // cannot reach the server: must not hang or free run-b's lease
	if busy, err := b.LoadInProgress(ctx); err != nil || !busy {
		t.Errorf("LoadInProgress = %v, %v after the old holder's release; want run-b's lease live", busy, err)
	}
}
