package mariadb

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// LoadLock is the name of the lock that the runs writing a database's business rows
// (migration, reprise) hold while they run, so that they take turns and validate can
// tell a load in progress from one that died.
func LoadLock(database string) string { return "dmt.load." + database }

// LoadInProgress reports whether a session holds the load lock of this database.
func (db *DB) LoadInProgress(ctx context.Context) (bool, error) {
	var holder sql.NullInt64
	if err := db.QueryRowContext(ctx, "SELECT IS_USED_LOCK(?)", LoadLock(db.Cfg.DBName)).Scan(&holder); err != nil {
		return false, fmt.Errorf("load lock: %w", FormatError(err))
	}
	return holder.Valid, nil
}

// Lock is a server-wide named lock held on its own connection until Release.
type Lock struct {
	conn *sql.Conn
	name string
}

// Acquire takes the named lock (GET_LOCK), so that two runs against the same database
// follow one another. When another session holds it, waiting is called once before
// Acquire waits, up to timeout, for it to be released.
func (db *DB) Acquire(ctx context.Context, name string, timeout time.Duration, waiting func()) (*Lock, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, FormatError(err)
	}
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, 0)", name).Scan(&got); err != nil {
		conn.Close()
		return nil, FormatError(err)
	}
	if got.Int64 != 1 {
		if waiting != nil {
			waiting()
		}
		if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, ?)", name, int(timeout.Seconds())).Scan(&got); err != nil {
			conn.Close()
			return nil, FormatError(err)
		}
		if got.Int64 != 1 {
			conn.Close()
			return nil, fmt.Errorf("lock %s: still held by another run after %s", name, timeout)
		}
	}
	return &Lock{conn: conn, name: name}, nil
}

// Release frees the lock and its connection.
func (l *Lock) Release() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _ = l.conn.ExecContext(ctx, "DO RELEASE_LOCK(?)", l.name)
	l.conn.Close()
}
