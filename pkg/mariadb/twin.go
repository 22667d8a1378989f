package mariadb

import (
	"context"
	"fmt"
	"slices"

	"github.com/jmoiron/sqlx"

	"dmt/pkg/domain"
	"dmt/pkg/rules"
	"dmt/pkg/store"
)

// A twin is a row of a batch that another run stored, identical, between the checker's
// look-up and the batch's insert: the batch finds it at its insert (withoutTwins) and
// counts it as already loaded, not as inserted, in its journal_batches row. The rows
// keep no other trace of it than their lineage: a row the batch wrote carries the
// batch's run, file and line; a twin carries those of the run that stored it.

// twinRefusal is r, found stored identical, as a Loaded refusal.
func twinRefusal(e *domain.Entity, r store.Row) store.Refusal {
	return store.Refusal{Row: r, Loaded: true,
		Message: e.KeyName() + " " + e.KeyOf(r.Values) + " is already in the database with the same content"}
}

// committedRefusals reads back what the committed transaction of b refused, for a
// batch whose COMMIT was applied unseen: the rows the database refused (DB_REFUSED
// rejections of b's lines) and the twins it found (see storedElsewhere), in line order.
// marker holds the counts of b's journal_batches row; they must be b.Progress less
// those rows, or the error says that the rows read back are not the batch's.
func committedRefusals(ctx context.Context, q sqlx.QueryerContext, b *batch, marker store.Progress) ([]store.Refusal, error) {
	if len(b.Rows) == 0 {
		return nil, nil
	}
	refused, err := refusedRows(ctx, q, b)
	if err != nil {
		return nil, err
	}
	stored := make(map[int]bool, len(refused))
	for _, r := range refused {
		stored[r.Row.Line] = true
	}
	var rest []store.Row
	for _, r := range b.Rows {
		if !stored[r.Line] {
			rest = append(rest, r)
		}
	}
	twins, err := storedElsewhere(ctx, q, b, rest)
	if err != nil {
		return nil, err
	}
	p := b.Progress
	p.Inserted -= len(refused) + len(twins)
	p.Rejected += len(refused)
	p.Ignored += len(twins)
	if p.Inserted != marker.Inserted || p.Rejected != marker.Rejected || p.Ignored != marker.Ignored {
		return nil, fmt.Errorf("%s: batch %d (lines %d-%d) found committed, but its journal counts (inserted %d, rejected %d, ignored %d) are not those of its rows in the database (%d, %d, %d): another run changed them since",
			b.File, b.Seq, b.Progress.First, b.Progress.Line, marker.Inserted, marker.Rejected, marker.Ignored, p.Inserted, p.Rejected, p.Ignored)
	}
	refused = append(refused, twins...)
	slices.SortFunc(refused, func(x, y store.Refusal) int { return x.Row.Line - y.Row.Line })
	return refused, nil
}

// refusedRows reads back the rows of b the database refused, recorded as DB_REFUSED
// rejections of b's lines by b's transaction.
func refusedRows(ctx context.Context, q sqlx.QueryerContext, b *batch) ([]store.Refusal, error) {
	byLine := make(map[int]store.Row, len(b.Rows))
	for _, r := range b.Rows {
		byLine[r.Line] = r
	}
	var stored []struct {
		Line   int    `db:"line"`
		Detail string `db:"detail"`
	}
	if err := sqlx.SelectContext(ctx, q, &stored, "SELECT line, COALESCE(detail, '') AS detail FROM rejections"+
		" WHERE run_id = ? AND file = ? AND entity = ? AND codes = ? AND line BETWEEN ? AND ? ORDER BY id",
		b.RunID, b.File, b.Entity.Name, string(rules.DBRefused), b.Rows[0].Line, b.Rows[len(b.Rows)-1].Line); err != nil {
		return nil, err
	}
	var refused []store.Refusal
	for _, x := range stored {
		if r, ok := byLine[x.Line]; ok {
			refused = append(refused, store.Refusal{Row: r, Message: x.Detail})
		}
	}
	return refused, nil
}

// storedElsewhere returns, as Loaded refusals, the rows of rows (rows of b its
// committed transaction did not refuse) stored with another lineage than b's: the
// twins b found at its insert. It looks their keys up in the entity's primary index.
func storedElsewhere(ctx context.Context, q sqlx.QueryerContext, b *batch, rows []store.Row) ([]store.Refusal, error) {
	e := b.Entity
	keyIdx := e.KeyIndexes()
	tuples := make([][]string, len(rows))
	for i, r := range rows {
		tuples[i] = make([]string, len(keyIdx))
		for j, k := range keyIdx {
			tuples[i][j] = r.Values[k]
		}
	}
	lineage := make(map[string]store.Stored, len(rows))
	for start := 0; start < len(tuples); {
		where, args, n := inTuples(e, e.Key, tuples[start:], statementBytes(b.packet))
		err := findRows(ctx, q, e, " WHERE "+where, args, e.Key, true, func(s store.Stored) error {
			lineage[e.KeyOf(s.Values)] = s
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("look up %s: %w", e.Name, err)
		}
		start += n
	}
	var twins []store.Refusal
	for _, r := range rows {
		s, ok := lineage[e.KeyOf(r.Values)]
		if ok && (s.RunID != b.RunID || s.File != b.File || s.Line != r.Line) {
			twins = append(twins, twinRefusal(e, r))
		}
	}
	return twins, nil
}
