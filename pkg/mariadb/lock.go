package mariadb

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

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
