package check

import (
	"slices"

	"dmt/pkg/domain"
)

// arena holds the rows a chunk's look-ups found, and the parents it took from the
// caches: its entries and their values are made once and used again by every chunk (no
// row of it outlives the chunk's look-ups).
type arena struct {
	entries []entry
	vals    []string
}

// reset makes the arena's rows free for the next chunk.
func (a *arena) reset() {
	clear(a.entries)
	a.entries = a.entries[:0]
	clear(a.vals)
	a.vals = a.vals[:0]
}

// entry returns a free entry.
func (a *arena) entry() *entry {
	if len(a.entries) == cap(a.entries) {
		a.entries = make([]entry, 0, max(2*cap(a.entries), 1024)) // the rows of the old one stay theirs
	}
	a.entries = a.entries[:len(a.entries)+1]
	return &a.entries[len(a.entries)-1]
}

// expand gives a parent of st kept in p as packed (see parents.keep) back as a row,
// its columns that no rule reads "".
func (a *arena) expand(st *entityState, p *parents, packed string) *entry {
	n := len(st.e.Fields)
	if len(a.vals)+n > cap(a.vals) {
		a.vals = make([]string, 0, max(2*cap(a.vals), 1024*n)) // the rows of the old one stay theirs
	}
	vals := a.vals[len(a.vals) : len(a.vals)+n : len(a.vals)+n]
	a.vals = a.vals[:len(a.vals)+n]
	en := a.entry()
	en.st, en.vals, en.stored = st, vals, true
	p.values(packed, vals, st.refIdx)
	return en
}

// buffers hold what CheckAll needs of a chunk's rows while it judges them (their
// judgments, which values are bad, their unique values), made once and used again by
// every chunk. The canonical values are made for each chunk, in one slice: the batches
// keep them.
type buffers struct {
	js   []judgment
	bad  []bool
	uniq []uniqueOf
}

// judgments normalises rows of e into judgments held by b.
func (b *buffers) judgments(c *Checker, e *domain.Entity, rows []Input) []judgment {
	n, u := len(e.Fields), len(c.state(e).uniques)
	canon := make([]string, len(rows)*n)
	b.js, b.bad, b.uniq = slices.Grow(b.js, len(rows))[:len(rows)], slices.Grow(b.bad, len(rows)*n)[:len(rows)*n],
		slices.Grow(b.uniq, len(rows)*u)[:len(rows)*u]
	for i, r := range rows {
		b.js[i] = c.normalize(e, r.Line, r.Raw, canon[i*n:(i+1)*n:(i+1)*n], b.bad[i*n:(i+1)*n:(i+1)*n])
		b.js[i].uniq = b.uniq[i*u : i*u : (i+1)*u]
	}
	return b.js
}

// reset lets go of the chunk's rows.
func (b *buffers) reset() {
	clear(b.js)
	clear(b.bad)
	clear(b.uniq)
	b.js, b.bad, b.uniq = b.js[:0], b.bad[:0], b.uniq[:0]
}
