package store

import (
	"fmt"
	"time"
)

// LoadLease is the name of the lease that the runs writing a database's rows
// (migration, reprise) hold while they run, so that they take turns and validate can
// tell a load in progress from one that died.
const LoadLease = "load"

// LeaseHolder is the run a lease names.
type LeaseHolder struct {
	RunID    string `db:"run_id"`
	Tool     string `db:"tool"`
	Host     string `db:"host"`
	PID      int64  `db:"pid"`
	Expires  string `db:"expires_at"` // by the server's clock, UTC: YYYY-MM-DD HH:MM:SS.mmm
	Released bool   `db:"released"`   // released at the end of its run
	Expired  bool   `db:"expired"`    // not released, and not renewed in time
}

func (h LeaseHolder) String() string {
	return fmt.Sprintf("run %s (%s on %s, pid %d)", h.RunID, h.Tool, h.Host, h.PID)
}

// LeaseRequest says which lease a run asks for and how it waits.
type LeaseRequest struct {
	Name     string        // LoadLease
	RunID    string        // the run that will hold it
	Tool     string        // recorded beside the run id
	Duration time.Duration // how long it lives unrenewed; 0: the store's default
	Wait     time.Duration // how long to wait for a live lease held by another run; 0: 24 h
	// Waiting, when set, is called once, with the holder, before waiting for a live
	// lease.
	Waiting func(LeaseHolder)
	// TookOver, when set, is called with the run whose lease expired without being
	// released (killed, or cut off from the server for longer than the lease) when the
	// lease taken replaced it, before the lease is returned.
	TookOver func(LeaseHolder)
}

// Lease is a run's hold on a lease, renewed by the store until Release.
type Lease interface {
	// Err returns an error once the lease may no longer be the run's (another run may
	// have taken it over), nil while it is. It costs no query: a run calls it before
	// each batch.
	Err() error
	// Release frees the lease, if it is still the run's, so that the next run takes it
	// at once. Calling it again does nothing.
	Release()
}
