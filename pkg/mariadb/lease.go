package mariadb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"

	"dmt/pkg/schema"
	"dmt/pkg/store"
)

// DefaultLeaseDuration is how long a lease lives without being renewed. A run renews
// it every quarter of that; a run killed without releasing it keeps the next run
// waiting for at most that long.
const DefaultLeaseDuration = 60 * time.Second

// leaseStep is the schema step that creates run_lease, the one table a run needs
// before it holds the lease.
const leaseStep = "0010_journal_run_lease"

// lease is a run's hold on a lease row. It is renewed in the background until Release;
// Err says whether it is still the run's.
type lease struct {
	db  *DB
	req store.LeaseRequest

	mu         sync.Mutex
	validUntil time.Time // local clock: past it, the server may see the lease expired
	lastErr    error     // of the last renewal that failed
	lost       error

	stop    context.Context // cancelled by Release, with a renewal in flight
	cancel  context.CancelFunc
	done    chan struct{}
	release sync.Once
}

var _ store.Lease = (*lease)(nil)

// LostLease is the error of a run whose lease is no longer its own: it must stop
// writing, since another run may have taken the lease over.
type LostLease struct {
	Where  string // the database, as Describe says
	Reason string
}

func (e *LostLease) Error() string {
	return "lost the run lease of " + e.Where + ": " + e.Reason +
		"; this run stopped after its committed batches (run the same command again to finish)"
}

// AcquireLease takes the lease req names, so that runs writing the same database take
// turns, on one server or across a Galera cluster (where GET_LOCK would be local to a
// node). The lease is a row of run_lease, taken and renewed in short committed
// statements and timed by the server's clock, so no connection has to stay open and
// the clients' clocks do not matter. A free or released lease is taken at once; a live
// one is waited for (req.Waiting is told once), polling with backoff; an expired one
// is taken over, and req.TookOver is told its run.
//
// The run_lease table is created first when it is missing, with the statement of its
// schema step: it is the one piece of DDL a run runs before it holds the lease (the
// lease cannot be taken without its table); every other step is applied under the
// lease. An account without CREATE privilege needs the table to exist.
//
// The lease is renewed every quarter of its duration until Release. Err reports it
// lost when a renewal finds it taken over or expired, or when no renewal succeeded for
// three quarters of the duration (the server then may see it expired within the last
// quarter): a run checks Err before each batch.
func (db *DB) AcquireLease(ctx context.Context, req store.LeaseRequest) (store.Lease, error) {
	if req.Duration <= 0 {
		req.Duration = DefaultLeaseDuration
	}
	if req.Wait <= 0 {
		req.Wait = 24 * time.Hour
	}
	if err := db.ensureLeaseTable(ctx); err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	deadline := time.Now().Add(req.Wait)
	delay := 100 * time.Millisecond
	told := false
	for {
		start := time.Now()
		holder, took, err := db.tryLease(ctx, req, host)
		if err != nil {
			return nil, fmt.Errorf("run lease: %w", err)
		}
		if took {
			l := &lease{db: db, req: req, validUntil: start.Add(req.Duration * 3 / 4), done: make(chan struct{})}
			l.stop, l.cancel = context.WithCancel(context.Background())
			go l.renew()
			if holder != nil && !holder.Released && req.TookOver != nil {
				req.TookOver(*holder)
			}
			return l, nil
		}
		if holder != nil && !told && req.Waiting != nil {
			req.Waiting(*holder)
			told = true
		}
		if time.Now().After(deadline) {
			who := "another run"
			if holder != nil {
				who = holder.String()
			}
			return nil, fmt.Errorf("run lease of %s: still held by %s after %s", Describe(db.Cfg), who, req.Wait)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for the run lease of %s: %w", Describe(db.Cfg), ctx.Err())
		case <-time.After(delay):
		}
		delay = min(delay*2, 2*time.Second)
	}
}

// ensureLeaseTable creates run_lease when it is missing, and only then: an account
// that may not create tables runs on a database that has it.
func (db *DB) ensureLeaseTable(ctx context.Context) error {
	missing, err := db.MissingTables(ctx, []string{"run_lease"})
	if err != nil || len(missing) == 0 {
		return err
	}
	step, ok := schema.Named(leaseStep)
	if !ok {
		return fmt.Errorf("run lease: no schema step %s", leaseStep)
	}
	stmts := step.Statements()
	for i, stmt := range stmts {
		if _, err := db.pool.ExecContext(ctx, stmt); err != nil {
			return stepError(step, i, len(stmts), stmt, err)
		}
	}
	return nil
}

// tryLease takes the lease if it is free, released or expired, and returns the holder
// it found (nil when there was no row, or when another run was faster).
func (db *DB) tryLease(ctx context.Context, req store.LeaseRequest, host string) (*store.LeaseHolder, bool, error) {
	h, err := db.leaseHolder(ctx, req.Name)
	if err != nil {
		return nil, false, err
	}
	micros := req.Duration.Microseconds()
	if h == nil {
		_, err := db.pool.ExecContext(ctx, `INSERT INTO run_lease (name, run_id, tool, host, pid, acquired_at, renewed_at, expires_at, released_at)
			VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(3), UTC_TIMESTAMP(3), UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND, NULL)`,
			req.Name, req.RunID, req.Tool, host, os.Getpid(), micros)
		if lostRace(err) {
			return nil, false, nil
		}
		return nil, err == nil, FormatError(err)
	}
	if !h.Released && !h.Expired {
		return h, false, nil
	}
	// Compare and swap: only the holder seen above is replaced, and only while it is
	// still released or expired by the server's clock.
	res, err := db.pool.ExecContext(ctx, `UPDATE run_lease SET run_id = ?, tool = ?, host = ?, pid = ?, acquired_at = UTC_TIMESTAMP(3),
		renewed_at = UTC_TIMESTAMP(3), expires_at = UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND, released_at = NULL
		WHERE name = ? AND run_id = ? AND (released_at IS NOT NULL OR expires_at <= UTC_TIMESTAMP(3))`,
		req.RunID, req.Tool, host, os.Getpid(), micros, req.Name, h.RunID)
	if lostRace(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, FormatError(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return nil, false, FormatError(err)
	}
	if n == 1 {
		return h, true, nil
	}
	return nil, false, nil
}

// lostRace reports whether err says that another session took the lease first: a
// duplicate key, or a deadlock or Galera certification failure.
func lostRace(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && (me.Number == 1062 || me.Number == 1213)
}

// leaseHolder reads the lease row (nil when there is none).
func (db *DB) leaseHolder(ctx context.Context, name string) (*store.LeaseHolder, error) {
	var h store.LeaseHolder
	err := db.pool.GetContext(ctx, &h, `SELECT run_id, tool, host, pid, expires_at, released_at IS NOT NULL AS released,
		released_at IS NULL AND expires_at <= UTC_TIMESTAMP(3) AS expired FROM run_lease WHERE name = ?`, name)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, FormatError(err)
	}
	return &h, nil
}

// renew extends the lease every quarter of its duration until Release, or until it
// finds the lease lost. A renewal that fails (server unreachable) is tried again at the
// next tick; Err tells when too long has passed without one.
func (l *lease) renew() {
	defer close(l.done)
	every := l.req.Duration / 4
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-l.stop.Done():
			return
		case <-t.C:
		}
		start := time.Now()
		ctx, cancel := context.WithTimeout(l.stop, every)
		res, err := l.db.pool.ExecContext(ctx, `UPDATE run_lease SET renewed_at = UTC_TIMESTAMP(3), expires_at = UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND
			WHERE name = ? AND run_id = ? AND released_at IS NULL AND expires_at > UTC_TIMESTAMP(3)`,
			l.req.Duration.Microseconds(), l.req.Name, l.req.RunID)
		var n int64
		if err == nil {
			n, err = res.RowsAffected()
		}
		var lost error
		if err == nil && n == 0 {
			reason := "it expired before it could be renewed"
			if h, herr := l.db.leaseHolder(ctx, l.req.Name); herr == nil && h != nil && h.RunID != l.req.RunID {
				reason = h.String() + " took it over after it expired"
			}
			lost = &LostLease{Where: Describe(l.db.Cfg), Reason: reason}
		}
		cancel()
		l.mu.Lock()
		switch {
		case lost != nil:
			if l.lost == nil {
				l.lost = lost
			}
		case err != nil:
			l.lastErr = FormatError(err)
			if Recover(err) == LookUp {
				l.db.recheckNode() // the next renewal goes through a ready node
			}
		default:
			l.lastErr = nil
			l.validUntil = start.Add(l.req.Duration * 3 / 4)
		}
		done := l.lost != nil
		l.mu.Unlock()
		if done {
			return
		}
	}
}

// Err returns a *LostLease once the lease may no longer be the run's, nil while it is.
// It costs no query: a run calls it before each batch.
func (l *lease) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lost == nil && time.Now().After(l.validUntil) {
		reason := fmt.Sprintf("not renewed for %s (the lease lives %s)", (l.req.Duration * 3 / 4).Round(time.Millisecond), l.req.Duration)
		if l.lastErr != nil {
			reason += ": " + l.lastErr.Error()
		}
		l.lost = &LostLease{Where: Describe(l.db.Cfg), Reason: reason}
	}
	return l.lost
}

// Release stops the renewals and frees the lease, if it is still the run's, so that
// the next run takes it at once. It uses its own short deadline: a run stopped by a
// signal still releases its lease. Calling it again does nothing.
func (l *lease) Release() {
	l.release.Do(func() {
		l.cancel()
		<-l.done
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, _ = l.db.pool.ExecContext(ctx, `UPDATE run_lease SET released_at = UTC_TIMESTAMP(3)
			WHERE name = ? AND run_id = ? AND released_at IS NULL`, l.req.Name, l.req.RunID)
	})
}

// LoadInProgress reports whether a run holds a live load lease on this database: not
// released, and not expired by the server's clock.
func (db *DB) LoadInProgress(ctx context.Context) (bool, error) {
	var n int
	if err := db.pool.GetContext(ctx, &n, `SELECT COUNT(*) FROM run_lease
		WHERE name = ? AND released_at IS NULL AND expires_at > UTC_TIMESTAMP(3)`, store.LoadLease); err != nil {
		return false, fmt.Errorf("run lease: %w", FormatError(err))
	}
	return n > 0, nil
}
