package mariadb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"dmt/pkg/domain"
	"dmt/pkg/rules"
	"dmt/pkg/store"
)

// lookupParams bounds the placeholders of one look-up statement: the server allows
// 65,535; a few thousand keep each statement small and its plan an index look-up.
const lookupParams = 4000

// Find calls fn with each row of e whose columns cols hold one of tuples (canonical
// values, compared by the columns' binary collation), in canonical text form aligned
// with e.Fields (a list column's items joined by "|" in byte order, as ScanEntity gives
// them), with its lineage: the run, file and line that wrote it. Every look-up rides an
// index (the key, a unique set, a reference's), in statements of a few thousand values:
// its cost follows the number of tuples, not the size of the table. fn may keep the
// values.
func (db *DB) Find(ctx context.Context, e *domain.Entity, cols []string, tuples [][]string, fn func(store.Stored) error) error {
	if len(cols) == 0 {
		return fmt.Errorf("find %s: no column", e.Name)
	}
	per := max(lookupParams/len(cols), 1)
	for start := 0; start < len(tuples); start += per {
		chunk := tuples[start:min(start+per, len(tuples))]
		if err := db.retryRead(ctx, func() error { return findRows(ctx, db.pool, e, cols, chunk, fn) }); err != nil {
			return fmt.Errorf("look up %s: %w", e.Name, err)
		}
	}
	return nil
}

// retryRead runs a read again while the connection is lost and the server comes back
// within ReconnectWithin, as LoadBatch does for a batch: a look-up has no effect, so it
// may simply be sent again. Any other error is returned formatted.
func (db *DB) retryRead(ctx context.Context, read func() error) error {
	var until time.Time
	for attempt := 0; ; attempt++ {
		err := db.retry(ctx, read)
		if err == nil {
			return nil
		}
		if r := Recover(err); r != LookUp || ctx.Err() != nil {
			return FormatError(err)
		}
		db.recheckNode()
		if until.IsZero() {
			until = time.Now().Add(db.reconnectWithin())
		} else if time.Now().After(until) {
			return &formatted{fmt.Sprintf("connection to MariaDB lost and not regained within %s (%v); "+
				"the batches committed are kept: run the same command again to finish the job", db.reconnectWithin(), FormatError(err)), err}
		}
		if err := pause(ctx, attempt); err != nil {
			return err
		}
	}
}

// findRows is one statement of Find, with the list items of the rows it found.
func findRows(ctx context.Context, conn sqlx.QueryerContext, e *domain.Entity, cols []string, tuples [][]string, fn func(store.Stored) error) error {
	var where string
	var args []any
	if len(cols) == 1 {
		vals := make([]string, len(tuples))
		for i, t := range tuples {
			vals[i] = t[0]
		}
		q, a, err := sqlx.In(rules.QuoteIdent(cols[0])+" IN (?)", vals)
		if err != nil {
			return err
		}
		where, args = q, a
	} else {
		row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
		where = "(" + quoteIdents(cols) + ") IN (" + strings.TrimSuffix(strings.Repeat(row+", ", len(tuples)), ", ") + ")"
		for _, t := range tuples {
			for _, v := range t {
				args = append(args, v)
			}
		}
	}
	var sel []string
	var idx []int
	for i, f := range e.Fields {
		if e.List(f.Name) == nil {
			sel = append(sel, rules.QuoteIdent(f.Name))
			idx = append(idx, i)
		}
	}
	rows, err := conn.QueryContext(ctx, "SELECT "+strings.Join(sel, ", ")+", run_id, source_file, source_line FROM "+
		rules.QuoteIdent(e.Name)+" WHERE "+where, args...)
	if err != nil {
		return err
	}
	var found []store.Stored
	raw := make([]sql.NullString, len(sel))
	ptrs := make([]any, 0, len(sel)+3)
	for i := range raw {
		ptrs = append(ptrs, &raw[i])
	}
	var s store.Stored
	ptrs = append(ptrs, &s.RunID, &s.File, &s.Line)
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			rows.Close()
			return err
		}
		vals := make([]string, len(e.Fields))
		for j, i := range idx {
			vals[i] = raw[j].String
		}
		s.Values = vals
		found = append(found, s)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(found) > 0 && len(e.Lists) > 0 {
		if err := addListItems(ctx, conn, e, found); err != nil {
			return err
		}
	}
	for _, s := range found {
		if err := fn(s); err != nil {
			return err
		}
	}
	return nil
}

// addListItems fills the list columns of rows found, from their list tables.
func addListItems(ctx context.Context, conn sqlx.QueryerContext, e *domain.Entity, found []store.Stored) error {
	keyIdx := e.Index(e.KeyColumn())
	keys := make([]string, len(found))
	for i, s := range found {
		keys[i] = s.Values[keyIdx]
	}
	where, args, err := sqlx.In(" WHERE "+rules.QuoteIdent(e.KeyColumn())+" IN (?)", keys)
	if err != nil {
		return err
	}
	for _, l := range e.Lists {
		items, err := listItems(ctx, conn, e, l, where, args)
		if err != nil {
			return err
		}
		li := e.Index(l.Column)
		for _, s := range found {
			s.Values[li] = items[s.Values[keyIdx]]
		}
	}
	return nil
}

// withoutTwins looks up, in tx, the stored rows with the keys of rows, and returns the
// rows without those stored identical (twins), and the twins as Loaded refusals. Rows
// stored with other content stay in rest: the database refuses them, as it should.
func withoutTwins(ctx context.Context, tx sqlx.QueryerContext, e *domain.Entity, rows []Row) (rest []Row, twins []Refusal, err error) {
	keyIdx := e.KeyIndexes()
	tuples := make([][]string, len(rows))
	for i, r := range rows {
		tuples[i] = make([]string, len(keyIdx))
		for j, k := range keyIdx {
			tuples[i][j] = r.Values[k]
		}
	}
	stored := map[string][]string{}
	per := max(lookupParams/len(e.Key), 1)
	for start := 0; start < len(tuples); start += per {
		err := findRows(ctx, tx, e, e.Key, tuples[start:min(start+per, len(tuples))], func(s store.Stored) error {
			stored[e.KeyOf(s.Values)] = s.Values
			return nil
		})
		if err != nil {
			return nil, nil, fmt.Errorf("look up %s: %w", e.Name, err)
		}
	}
	for _, r := range rows {
		if s, ok := stored[e.KeyOf(r.Values)]; ok && e.Same(s, r.Values) {
			twins = append(twins, Refusal{Row: r, Loaded: true,
				Message: e.KeyName() + " " + e.KeyOf(r.Values) + " is already in the database with the same content"})
			continue
		}
		rest = append(rest, r)
	}
	return rest, twins, nil
}
