package mariadb

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"dmt/pkg/domain"
	"dmt/pkg/rules"
	"dmt/pkg/store"
)

// lookupTuples bounds the values one look-up statement asks for. From 1,000 values on
// (in_predicate_conversion_threshold), MariaDB turns an IN list into a join with a
// table of the values, and its optimizer then scans the whole table instead of riding
// the index: 5,000 projets looked up in projet_sites read all its rows (0.06 s a
// statement at 300,000 rows, 7.4 of the 25 server seconds of a 1M-row run), where five
// lists of 999 take 0.016 s together. So a statement holds at most 999 values (also
// under the 65,535 placeholders and a quarter of the packet).
const lookupTuples = 999

// Find calls fn with each row of e whose columns cols hold one of tuples (canonical
// values, compared by the columns' binary collation), in canonical text form aligned
// with e.Fields (a list column's items joined by "|" in byte order, as ScanEntity gives
// them), with its lineage when asked: the run, file and line that wrote it. fields
// names the columns wanted (nil: all; the others are ""): asked for its key alone, a
// parent is found in its index without reading its row. Every look-up rides an index
// (the key, a unique set, a reference's), in statements of a few thousand values: its
// cost follows the number of tuples, not the size of the table. fn may keep the values.
func (db *DB) Find(ctx context.Context, e *domain.Entity, cols []string, tuples [][]string, fields []string, lineage bool, fn func(store.Stored) error) error {
	if len(cols) == 0 {
		return fmt.Errorf("find %s: no column", e.Name)
	}
	limit := statementBytes(db.packetLimit(ctx))
	for start := 0; start < len(tuples); {
		where, args, n := inTuples(e, cols, tuples[start:], limit)
		if err := db.retryRead(ctx, func() error { return findRows(ctx, db.pool, e, byColumns(e, cols)+where, args, fields, lineage, fn) }); err != nil {
			return fmt.Errorf("look up %s: %w", e.Name, err)
		}
		start += n
	}
	return nil
}

// inTuples returns the WHERE clause that selects the rows whose cols hold one of the
// first n of tuples (at most lookupTuples, within about limit bytes), and its arguments.
// Whole numbers for number columns, and values that are plain words (letters, digits,
// "-", "_", ".", ":", "@", "+", " "), are written as literals, the others bound: a
// statement of literals goes to the server in one round trip instead of a prepare and
// an execute, and a number compared with a number column rides its index directly.
func inTuples(e *domain.Entity, cols []string, tuples [][]string, limit int) (where string, args []any, n int) {
	isInt := make([]bool, len(cols))
	for i, c := range cols {
		isInt[i] = e.Field(c) != nil && e.Field(c).Kind == rules.Integer
	}
	var b strings.Builder
	if len(cols) == 1 {
		b.WriteString(rules.QuoteIdent(cols[0]) + " IN (")
	} else {
		b.WriteString("(" + quoteIdents(cols) + ") IN (")
	}
	for n < len(tuples) && n < lookupTuples && (n == 0 || b.Len() < limit) {
		if n > 0 {
			b.WriteString(", ")
		}
		if len(cols) > 1 {
			b.WriteByte('(')
		}
		for i, v := range tuples[n] {
			if i > 0 {
				b.WriteString(", ")
			}
			switch {
			case isInt[i] && wholeNumber(v):
				b.WriteString(v) // a number against a number column: its index, no conversion
			case plainWord(v):
				b.WriteByte('\'')
				b.WriteString(v)
				b.WriteByte('\'')
			default:
				b.WriteByte('?')
				args = append(args, v)
			}
		}
		if len(cols) > 1 {
			b.WriteByte(')')
		}
		n++
	}
	b.WriteByte(')')
	return b.String(), args, n
}

// wholeNumber reports whether v is a whole number as canonical values write them.
func wholeNumber(v string) bool {
	n, err := strconv.ParseInt(v, 10, 64)
	return err == nil && strconv.FormatInt(n, 10) == v
}

// plainWord reports whether v can be written between single quotes as it is: it holds
// no quote, backslash or other character a literal would have to escape.
func plainWord(v string) bool {
	if len(v) > 200 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '-', c == '_', c == '.', c == ':', c == '@', c == '+', c == ' ':
		default:
			return false
		}
	}
	return true
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

// findRows is one statement of Find (the rows of e that clause, what follows the
// table's name, selects with args), with the list items of the rows it found when
// fields asks for them, and their lineage when lineage is set. A row's values are read
// as raw bytes and made into one string, sliced into its fields; its run and file are
// the previous row's strings when equal: a million-row run looks up 300,000 rows, and
// a string per column was a quarter of all it allocated.
func findRows(ctx context.Context, conn sqlx.QueryerContext, e *domain.Entity, clause string, args []any, fields []string, lineage bool, fn func(store.Stored) error) error {
	q, idx, lists := rowsQuery(e, fields, lineage, clause)
	rows, err := conn.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	cols := len(idx)
	sel := cols
	if lineage {
		sel += 3
	}
	var found []store.Stored
	raw := make([]sql.RawBytes, sel)
	ptrs := make([]any, sel)
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	var last store.Stored
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			rows.Close()
			return err
		}
		s := store.Stored{Values: make([]string, len(e.Fields))}
		n := 0
		for _, b := range raw[:cols] {
			n += len(b)
		}
		var all strings.Builder // one allocation: its bytes become the string
		all.Grow(n)
		for _, b := range raw[:cols] {
			all.Write(b)
		}
		text := all.String()
		for j, i := range idx {
			s.Values[i], text = text[:len(raw[j])], text[len(raw[j]):]
		}
		if lineage {
			if s.RunID = last.RunID; string(raw[cols]) != s.RunID {
				s.RunID = string(raw[cols])
			}
			if s.File = last.File; string(raw[cols+1]) != s.File {
				s.File = string(raw[cols+1])
			}
			if s.Line, err = strconv.Atoi(string(raw[cols+2])); err != nil {
				rows.Close()
				return fmt.Errorf("%s: source_line %q: %w", e.Name, raw[cols+2], err)
			}
			last = s
		}
		found = append(found, s)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(found) > 0 && lists {
		if err := addListItems(ctx, conn, e, found, fields); err != nil {
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

// rowsQuery is the statement findRows sends: the columns of e that fields names (nil:
// all), but its lists, then its lineage when asked, of the rows clause (what follows
// the table's name) selects; and the indexes in e.Fields of the columns it reads, and
// whether fields asks for lists.
func rowsQuery(e *domain.Entity, fields []string, lineage bool, clause string) (q string, idx []int, lists bool) {
	var sel []string
	for i, f := range e.Fields {
		if fields != nil && !slices.Contains(fields, f.Name) {
			continue
		}
		if e.List(f.Name) != nil {
			lists = true
			continue
		}
		sel = append(sel, rules.QuoteIdent(f.Name))
		idx = append(idx, i)
	}
	if lineage {
		sel = append(sel, "run_id", "source_file", "source_line")
	}
	return "SELECT " + strings.Join(sel, ", ") + " FROM " + rules.QuoteIdent(e.Name) + clause, idx, lists
}

// byColumns starts the clause of a look-up of e by cols: by the primary key when cols
// are its first columns but not all of them (an order's lines by its number). A look-up
// by a whole key or a unique set finds one row a value whatever the statistics.
func byColumns(e *domain.Entity, cols []string) string {
	if len(cols) < len(e.Key) && slices.Equal(cols, e.Key[:len(cols)]) {
		return byPrimaryKey
	}
	return " WHERE "
}

// byPrimaryKey starts the clause of a look-up by the first columns of a table's primary
// key: a list table's rows by their owners' keys (its key is owner's key, item), an
// order's lines by its number. The key is forced: with statistics taken while the table
// held few owners (InnoDB recomputes them in the background, late, while a run fills
// the table), the optimizer chose to read the whole index for an IN list of 999 owners.
// A million-row run's 478 look-ups of projet_sites read 61 million rows (8.6 s of the
// server's time); forced, 0.5 million (1.9 s). lignes_commande's plan was the same.
const byPrimaryKey = " FORCE INDEX (PRIMARY) WHERE "

// addListItems fills the list columns of rows found that fields asks for (nil: all),
// from their list tables.
func addListItems(ctx context.Context, conn sqlx.QueryerContext, e *domain.Entity, found []store.Stored, fields []string) error {
	keyIdx := e.Index(e.KeyColumn())
	keys := make([][]string, len(found))
	for i, s := range found {
		keys[i] = []string{s.Values[keyIdx]}
	}
	for _, l := range e.Lists {
		if fields != nil && !slices.Contains(fields, l.Column) {
			continue
		}
		li := e.Index(l.Column)
		for start := 0; start < len(keys); {
			where, args, n := inTuples(e, e.Key, keys[start:], math.MaxInt)
			items, err := listItems(ctx, conn, e, l, byPrimaryKey+where, args)
			if err != nil {
				return err
			}
			for _, s := range found[start : start+n] {
				s.Values[li] = items[s.Values[keyIdx]]
			}
			start += n
		}
	}
	return nil
}

// withoutTwins looks up, in tx, the stored rows with the keys of rows, and returns the
// rows without those stored identical (twins), and the twins as Loaded refusals. Rows
// stored with other content stay in rest: the database refuses them, as it should.
func withoutTwins(ctx context.Context, tx sqlx.QueryerContext, b *batch, rows []store.Row) (rest []store.Row, twins []store.Refusal, err error) {
	e := b.Entity
	keyIdx := e.KeyIndexes()
	tuples := make([][]string, len(rows))
	for i, r := range rows {
		tuples[i] = make([]string, len(keyIdx))
		for j, k := range keyIdx {
			tuples[i][j] = r.Values[k]
		}
	}
	stored := map[string][]string{}
	for start := 0; start < len(tuples); {
		where, args, n := inTuples(e, e.Key, tuples[start:], statementBytes(b.packet))
		err := findRows(ctx, tx, e, " WHERE "+where, args, nil, false, func(s store.Stored) error {
			stored[e.KeyOf(s.Values)] = s.Values
			return nil
		})
		if err != nil {
			return nil, nil, fmt.Errorf("look up %s: %w", e.Name, err)
		}
		start += n
	}
	for _, r := range rows {
		if s, ok := stored[e.KeyOf(r.Values)]; ok && e.Same(s, r.Values) {
			twins = append(twins, twinRefusal(e, r))
			continue
		}
		rest = append(rest, r)
	}
	return rest, twins, nil
}

// Extent says whether e's table holds rows and, when e is keyed by one whole number,
// the smallest and largest of their keys: one look at the key's index.
func (db *DB) Extent(ctx context.Context, e *domain.Entity) (store.Extent, error) {
	var x store.Extent
	table := rules.QuoteIdent(e.Name)
	var err error
	if len(e.Key) == 1 && e.Field(e.Key[0]).Kind == rules.Integer {
		var r struct {
			Lo sql.NullInt64 `db:"lo"`
			Hi sql.NullInt64 `db:"hi"`
		}
		key := rules.QuoteIdent(e.Key[0])
		err = db.retryRead(ctx, func() error {
			return db.pool.GetContext(ctx, &r, "SELECT MIN("+key+") AS lo, MAX("+key+") AS hi FROM "+table)
		})
		x = store.Extent{Empty: !r.Lo.Valid, Numeric: true, Lo: r.Lo.Int64, Hi: r.Hi.Int64}
	} else {
		var any bool
		err = db.retryRead(ctx, func() error {
			return db.pool.GetContext(ctx, &any, "SELECT EXISTS (SELECT 1 FROM "+table+")")
		})
		x.Empty = !any
	}
	if err != nil {
		return x, fmt.Errorf("look up %s: %w", e.Name, err)
	}
	return x, nil
}
