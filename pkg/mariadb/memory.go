package mariadb

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"dmt/pkg/store"
)

// Memory keeps a run's facts (store.Fact) in a session TEMPORARY table, on a connection
// of its own held for the run: what a checker learnt of its run that the business tables
// do not hold, kept out of the process's memory. The table lives as long as the
// connection and is seen by no other session; it writes nothing to the database, so a
// dry run may use it. Its connection is opened at the first fact kept.
type Memory struct {
	db   *DB
	conn *sqlx.Conn
	kept bool // a fact was kept: Recall has something to read
}

// OpenMemory returns an empty Memory on db, its table created on a connection of its
// own; an account without the CREATE TEMPORARY TABLES privilege gets an error saying
// so. Close releases the connection (and the table).
func (db *DB) OpenMemory(ctx context.Context) (store.RunMemory, error) {
	m := &Memory{db: db}
	if err := m.open(ctx); err != nil {
		return nil, err
	}
	return m, nil
}

// memoryTable holds facts by entity, index and the SHA-256 of their value (values may be
// longer than an index allows); Recall compares the value itself.
const memoryTable = "CREATE TEMPORARY TABLE dmt_run_memory (" +
	"entity VARCHAR(64) NOT NULL, ix VARCHAR(16) NOT NULL, value_sha BINARY(32) NOT NULL, " +
	"value MEDIUMTEXT NOT NULL, line BIGINT NOT NULL, file VARCHAR(255) NOT NULL, vals MEDIUMTEXT NULL, " +
	"PRIMARY KEY (entity, ix, value_sha)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"

// open takes the connection and creates the table.
func (m *Memory) open(ctx context.Context) error {
	if m.conn != nil {
		return nil
	}
	conn, err := m.db.pool.Connx(ctx)
	if err != nil {
		return FormatError(err)
	}
	if _, err := conn.ExecContext(ctx, memoryTable); err != nil {
		conn.Close()
		return fmt.Errorf("run memory: %w", FormatError(err))
	}
	m.conn = conn
	return nil
}

// Keep records facts. For the "key" and "rejected" indexes a later fact replaces an
// earlier one of the same value; for the others (unique owners, consistency) the first
// stays.
func (m *Memory) Keep(ctx context.Context, facts []store.Fact) error {
	if len(facts) == 0 {
		return nil
	}
	m.kept = true
	const row = "(?, ?, ?, ?, ?, ?, ?)"
	packet := m.db.packetLimit(ctx)
	for _, latest := range []bool{true, false} {
		var args []any
		n, size := 0, 0
		flush := func() error {
			if n == 0 {
				return nil
			}
			q := "INSERT INTO dmt_run_memory (entity, ix, value_sha, value, line, file, vals) VALUES " +
				strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
			if latest {
				q += " ON DUPLICATE KEY UPDATE line = VALUES(line), file = VALUES(file), vals = VALUES(vals)"
			} else {
				q = strings.Replace(q, "INSERT", "INSERT IGNORE", 1)
			}
			if _, err := m.conn.ExecContext(ctx, q, args...); err != nil {
				return fmt.Errorf("run memory: %w", FormatError(err))
			}
			args, n, size = args[:0], 0, 0
			return nil
		}
		for _, f := range facts {
			if latest != (f.Index == "key" || f.Index == "rejected") {
				continue
			}
			var vals any
			if f.Values != nil {
				b, err := json.Marshal(f.Values)
				if err != nil {
					return err
				}
				vals = string(b)
			}
			sum := sha256.Sum256([]byte(f.Value))
			fact := []any{f.Entity, f.Index, sum[:], f.Value, f.Line, f.File, vals}
			fs := argsBytes(fact) + len(row) + len(sum)
			if n > 0 && (size+fs > statementBytes(packet) || n >= rowsPerInsert) {
				if err := flush(); err != nil {
					return err
				}
			}
			args = append(args, fact...)
			n++
			size += fs
		}
		if err := flush(); err != nil {
			return err
		}
	}
	return nil
}

// Recall calls fn with the facts of entity and index whose value is one of values.
func (m *Memory) Recall(ctx context.Context, entity, index string, values []string, fn func(store.Fact) error) error {
	if !m.kept || len(values) == 0 {
		return nil
	}
	want := make(map[string]bool, len(values))
	for _, v := range values {
		want[v] = true
	}
	for start := 0; start < len(values); start += lookupTuples {
		chunk := values[start:min(start+lookupTuples, len(values))]
		shas := make([][]byte, len(chunk))
		for i, v := range chunk {
			sum := sha256.Sum256([]byte(v))
			shas[i] = sum[:]
		}
		q, args, err := sqlx.In("SELECT value, line, file, vals FROM dmt_run_memory WHERE entity = ? AND ix = ? AND value_sha IN (?)", entity, index, shas)
		if err != nil {
			return err
		}
		var got []struct {
			Value string  `db:"value"`
			Line  int     `db:"line"`
			File  string  `db:"file"`
			Vals  *string `db:"vals"`
		}
		if err := m.conn.SelectContext(ctx, &got, q, args...); err != nil {
			return fmt.Errorf("run memory: %w", FormatError(err))
		}
		for _, g := range got {
			if !want[g.Value] {
				continue // another value with the same SHA-256
			}
			f := store.Fact{Entity: entity, Index: index, Value: g.Value, Line: g.Line, File: g.File}
			if g.Vals != nil {
				if err := json.Unmarshal([]byte(*g.Vals), &f.Values); err != nil {
					return fmt.Errorf("run memory: %w", err)
				}
			}
			if err := fn(f); err != nil {
				return err
			}
		}
	}
	return nil
}

// Close releases the Memory's connection, and with it its table.
func (m *Memory) Close() error {
	if m.conn == nil {
		return nil
	}
	err := m.conn.Close()
	m.conn = nil
	return err
}
