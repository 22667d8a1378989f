// Package check judges rows of a domain: it normalises them, applies every rule of
// pkg/rules, and compares each row with the other rows of the run and with the rows
// already stored, so that duplicates, conflicts, taken e-mails and references are caught
// across rows, files and runs. migration, reprise and the tests of generate_data all
// judge rows with it, so they cannot disagree.
//
// The checker holds in memory only the rows of the batches not committed yet (its
// window). Given a Lookup (see Use), it asks the database, once per chunk of rows
// (CheckAll), for the keys, unique values and parents the chunk mentions: the
// database, with its indexes and lineage columns, is the memory of every committed row.
// Its cost follows the input, not the database, and its memory the batches in flight.
// Without a Lookup, the window keeps every row of the run.
package check

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"dmt/pkg/domain"
	"dmt/pkg/model"
	"dmt/pkg/rules"
	"dmt/pkg/store"
)

// Outcome is the verdict on one row.
type Outcome int

const (
	Accept  Outcome = iota // valid and new: to be inserted
	Ignore                 // identical to a row already accepted or loaded: nothing to do
	Reject                 // breaks a rule: kept aside with its violations
	Replace                // valid, and replaces a loaded row with other content (AllowReplace, or reference data)
)

func (o Outcome) String() string {
	switch o {
	case Accept:
		return "accept"
	case Ignore:
		return "ignore"
	case Replace:
		return "replace"
	}
	return "reject"
}

// Result is the verdict on one row with its canonical values (aligned with the entity's
// Fields; "" is NULL) and, unless accepted, why.
type Result struct {
	Canonical  []string
	Outcome    Outcome
	Violations []rules.Violation
	// Unjudged counts the row's references that could not be judged (FilesAlone).
	Unjudged int
}

// Codes returns the distinct codes of r's violations, in order of appearance.
func (r Result) Codes() []rules.Code {
	var codes []rules.Code
	for _, v := range r.Violations {
		if !slices.Contains(codes, v.Code) {
			codes = append(codes, v.Code)
		}
	}
	return codes
}

// Has reports whether r carries a violation with the code.
func (r Result) Has(code rules.Code) bool {
	for _, v := range r.Violations {
		if v.Code == code {
			return true
		}
	}
	return false
}

// entityState is what the checker holds of one entity: the rows of its window by key,
// the keys of its rows rejected, the owners of its unique values, and the first row of
// each value its rows must agree on.
type entityState struct {
	e        *domain.Entity
	keyIdx   []int
	rows     *index
	rejected *index
	uniques  []uniqueState
	consist  []consistState
	// refCols are what a child needs of a row of this entity it refers to: its key and
	// the columns its children's parent rules read; refIdx their indexes in its fields.
	refCols []string
	refIdx  []int
	// parents keeps stored rows of this entity that children referred to, and those
	// this run committed (keepParent). Emptied whenever rows of this entity are judged
	// that may replace stored ones (reprise -update, an entity with a history); the run
	// holds the lease: no other writer changes them.
	parents *parents
	// extent says what the table may hold of the file being read (see fileExtent).
	extent fileExtent
	// refs are the entity's Refs: the column of each and the parent's state; parentRules
	// name, for each of the entity's ParentRules, the reference it reads (in refs).
	refs        []refState
	parentRules []int
	// referred: some entity refers to this one. Only then do the keys of its rejected
	// rows explain anything (orphans), and so go to the Memory once committed: a leaf's
	// would grow with the rows it rejects, never to be read.
	referred bool
}

type refState struct {
	col    int
	parent *entityState
}

// fileExtent is what an entity's table may hold, as far as the file being read goes:
// the rows stored when the file began (read once: whether there were any, and the range
// of their keys when keyed by a whole number), and the rows the run accepted since (the
// range of their keys; their values, in a Bloom filter, when the table began empty). A
// value it rules out is stored nowhere, so it is not looked up: a load of new rows into
// an empty table asks nothing of the database for its keys and unique values, and one
// into a full table nothing for keys above those stored. A value it does not rule out is
// looked up and compared: the filter only saves look-ups, it decides no verdict.
type fileExtent struct {
	file   string
	read   bool // the table's extent was read for file
	empty  bool // it held no row when file began
	any    bool // lo and hi hold a range of whole-number keys
	lo, hi int64
	added  *bloom // values of rows accepted since file began, when empty
}

func (x *fileExtent) widen(n int64) {
	if !x.any {
		x.lo, x.hi, x.any = n, n, true
		return
	}
	x.lo, x.hi = min(x.lo, n), max(x.hi, n)
}

// mayHoldKey reports whether key may be the key of a stored row.
func (x *fileExtent) mayHoldKey(st *entityState, key string) bool {
	if !x.read {
		return true
	}
	if x.numeric(st) {
		n, err := strconv.ParseInt(key, 10, 64)
		return err != nil || x.any && n >= x.lo && n <= x.hi
	}
	return x.mayHold("key", key)
}

// mayHold reports whether a stored row may have v in index.
func (x *fileExtent) mayHold(index, v string) bool {
	return !x.read || !x.empty || x.added.may(index, v)
}

// numeric reports whether st is keyed by one whole number.
func (x *fileExtent) numeric(st *entityState) bool {
	return len(st.keyIdx) == 1 && st.e.Fields[st.keyIdx[0]].Kind == rules.Integer
}

// accepted widens the extent with a row the run accepted, with its key and the values
// of its unique sets (j's).
func (x *fileExtent) accepted(st *entityState, key string, j *judgment) {
	if n, err := strconv.ParseInt(key, 10, 64); err == nil {
		x.widen(n)
	}
	if x.added == nil {
		return
	}
	if !x.numeric(st) { // a whole-number key is ruled out by its range (mayHoldKey)
		x.added.add("key", key)
	}
	for k, us := range st.uniques {
		if v, ok := j.unique(k); ok {
			x.added.add(us.ix.name, v)
		}
	}
	for _, cs := range st.consist {
		x.added.add(cs.ix.name, j.vals[cs.key])
	}
}

type uniqueState struct {
	u   domain.Unique
	idx []int
	ix  *index
}

// consistState is one Consistency: rows sharing the value of key agree on cols.
type consistState struct {
	c    domain.Consistency
	key  int
	cols []int
	ix   *index
}

// Checker judges rows of one domain. It is not safe for concurrent use.
type Checker struct {
	d      *domain.Domain
	today  model.Date
	states map[string]*entityState
	// replace makes a valid row whose key is loaded with other content a Replace
	// instead of a conflict (reprise -update).
	replace bool
	// file names the file being read: details name the file of an earlier line when it
	// is another one.
	file string
	// look finds stored rows (nil: the window is all the checker knows); runID tells the
	// run's own rows from earlier runs'; mem keeps, once their batch is committed, the
	// facts the tables do not hold; writes says whether committed batches reach the tables
	// (false in a dry run: mem keeps the run's rows too).
	look   Lookup
	mem    Memory
	runID  string
	writes bool
	// blind: references to rows outside the run cannot be judged (a dry run without a
	// database); unjudged counts them.
	blind    bool
	unjudged int
	// fifo holds the window's entries in the order they came, to let them go as their
	// batches are committed (only with a Lookup).
	fifo []*entry
	// order numbers the files in the order they were read (see SetSource, before).
	order map[string]int
	// found lists the indexes whose found maps hold what the look-ups of the chunk being
	// judged found (emptied after it, kept for the next); arena holds the rows they found.
	found []*index
	arena arena
	probe probe
	buf   buffers
}

// Lookup is what the checker asks of the database: the rows already stored whose
// columns hold given values. It answers for every committed row, this run's included.
type Lookup interface {
	// Extent says whether e's table holds rows and, when e is keyed by one whole
	// number, the smallest and largest of their keys.
	Extent(ctx context.Context, e *domain.Entity) (store.Extent, error)
	// Find calls fn with each stored row of e whose columns cols hold one of tuples
	// (canonical values, compared exactly; the caller compares the values again), with
	// the values of fields (nil: all; the others "") and, when lineage is set, the run,
	// file and line that wrote it.
	Find(ctx context.Context, e *domain.Entity, cols []string, tuples [][]string, fields []string, lineage bool, fn func(store.Stored) error) error
}

// Memory keeps what the checker learnt of its run that the tables do not hold, once the
// batch it came with is committed (see store.Fact): so the checker's own memory stays
// bounded by the batches in flight.
type Memory interface {
	// Keep records facts; a later fact of the same entity, index and value replaces an
	// earlier one for the "key" and "rejected" indexes, and is dropped for the others.
	Keep(ctx context.Context, facts []store.Fact) error
	// Recall calls fn with the facts of entity and index whose value is one of values.
	Recall(ctx context.Context, entity, index string, values []string, fn func(store.Fact) error) error
}

// SetSource tells the checker that the rows that follow come from the file name, so that
// a duplicate of a row of another file says which file.
// The extents read for an earlier file are let go: each is read again for the file
// that needs it, and the Bloom filter of one (4 MiB) would otherwise stay for the run,
// one per entity a run loads into an empty table.
func (c *Checker) SetSource(name string) {
	c.file = name
	if _, ok := c.order[name]; !ok {
		if c.order == nil {
			c.order = map[string]int{}
		}
		c.order[name] = len(c.order)
	}
	for _, st := range c.states {
		if st.extent.file != name {
			st.extent = fileExtent{}
		}
	}
}

// before reports whether file a was read before file b: a's batches are all committed
// once one of b's is.
func (c *Checker) before(a, b string) bool {
	i, okA := c.order[a]
	j, okB := c.order[b]
	return okA && okB && i < j
}

// at names where an earlier row was: "line 3", or "line 3 of clients_lyon.csv".
func (c *Checker) at(e *entry) string {
	if e.file != "" && e.file != c.file {
		return fmt.Sprintf("line %d of %s", e.line, e.file)
	}
	return fmt.Sprintf("line %d", e.line)
}

// AllowReplace makes Check return Replace, instead of a conflict, for a valid row whose
// key is already in the database with other content. Rows of an entity with a History
// table are judged so always: reference data changes at its source.
func (c *Checker) AllowReplace() { c.replace = true }

// Use makes the checker look stored rows up through look, telling the rows of the run
// runID from earlier ones, and keep in mem what it lets go of its window. writes is
// false for a dry run: its batches never reach the tables, so mem keeps its rows too.
func (c *Checker) Use(look Lookup, mem Memory, runID string, writes bool) {
	c.look, c.mem, c.runID, c.writes = look, mem, runID, writes
}

// FilesAlone makes the checker judge the run's files without a database: a reference to
// a row that no file of the run holds cannot be judged, so it is not rejected but
// counted (Unjudged).
func (c *Checker) FilesAlone() { c.blind = true }

// Unjudged returns how many references could not be judged so far (see FilesAlone).
func (c *Checker) Unjudged() int { return c.unjudged }

// Today returns the date the checker takes as today: the run's date, the day a replaced
// reference row's new values come into force.
func (c *Checker) Today() model.Date { return c.today }

// New returns a Checker for d that takes today as the date beyond which dates are in the
// future.
func New(d *domain.Domain, today model.Date) *Checker {
	c := &Checker{d: d, today: today, states: map[string]*entityState{}}
	for _, e := range d.Entities {
		st := &entityState{e: e, keyIdx: e.KeyIndexes()}
		keyOf := func(en *entry) string { return e.KeyOf(en.vals) }
		st.rows = newIndex("key", false, keyOf)
		st.rejected = newIndex("rejected", false, keyOf)
		for _, u := range e.Uniques {
			if u.Warn {
				continue
			}
			us := uniqueState{u: u}
			for _, col := range u.Columns {
				us.idx = append(us.idx, e.Index(col))
			}
			us.ix = newIndex(fmt.Sprintf("u%d", len(st.uniques)), true, func(en *entry) string {
				v, _ := uniqueValue(us.idx, en.vals)
				return v
			})
			st.uniques = append(st.uniques, us)
		}
		for _, cs := range e.Consistent {
			cst := consistState{c: cs, key: e.Index(cs.Key)}
			for _, col := range cs.Columns {
				cst.cols = append(cst.cols, e.Index(col))
			}
			k := cst.key
			cst.ix = newIndex(fmt.Sprintf("c%d", len(st.consist)), true, func(en *entry) string { return en.vals[k] })
			st.consist = append(st.consist, cst)
		}
		st.refCols, st.refIdx = slices.Clone(e.Key), slices.Clone(st.keyIdx)
		c.states[e.Name] = st
	}

	for _, e := range d.Entities {
		st := c.states[e.Name]
		for _, ref := range e.Refs {
			st.refs = append(st.refs, refState{col: e.Index(ref.Column), parent: c.states[ref.Parent]})
			c.states[ref.Parent].referred = true
		}
		for _, pc := range e.ParentRules {
			st.parentRules = append(st.parentRules, slices.IndexFunc(e.Refs, func(r domain.Ref) bool { return r.Column == pc.Ref.Column }))
			pst := c.states[pc.Ref.Parent]
			for _, col := range pc.Rule.Reads {
				if !slices.Contains(pst.refCols, col) {
					pst.refCols = append(pst.refCols, col)
					pst.refIdx = append(pst.refIdx, pst.e.Index(col))
				}
			}
		}
	}
	return c
}

// Domain returns the domain the checker judges.
func (c *Checker) Domain() *domain.Domain { return c.d }

// uniqueValue is the value of a unique set in a row, as sets are compared: its values
// lower-cased and joined by NUL; false when one of them is empty (NULLs are not
// compared). One allocation at most: it is computed for every row judged.
func uniqueValue(idx []int, vals []string) (string, bool) {
	n := len(idx) - 1
	for _, k := range idx {
		if vals[k] == "" {
			return "", false
		}
		n += len(vals[k])
	}
	if len(idx) == 1 {
		return strings.ToLower(vals[idx[0]]), true
	}
	var b strings.Builder
	b.Grow(n)
	for i, k := range idx {
		if i > 0 {
			b.WriteByte(0)
		}
		writeLower(&b, vals[k])
	}
	return b.String(), true
}

// writeLower writes v lower-cased as strings.ToLower does, byte by byte when v is ASCII.
func writeLower(b *strings.Builder, v string) {
	for i := 0; i < len(v); i++ {
		if v[i] >= utf8.RuneSelf {
			b.WriteString(strings.ToLower(v))
			return
		}
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
}

func (c *Checker) state(e *domain.Entity) *entityState {
	st := c.states[e.Name]
	if st == nil {
		panic(fmt.Sprintf("check: entity %q is not in domain %q", e.Name, c.d.Name))
	}
	return st
}

// Get gives rules the canonical values of the row being judged by column name.
func (j *judgment) Get(col string) string { return get(j.e, j.vals, col) }

// Get gives parent rules the canonical values of a row held by column name.
func (en *entry) Get(col string) string { return get(en.st.e, en.vals, col) }

var _, _ rules.Row = (*judgment)(nil), (*entry)(nil)

func get(e *domain.Entity, vals []string, col string) string {
	if i := e.Index(col); i >= 0 {
		return vals[i]
	}
	return ""
}

// Preload registers a row that is already in the database (canonical values aligned
// with e.Fields), as a Lookup would find it: tests use it to judge rows against a
// database without one.
func (c *Checker) Preload(e *domain.Entity, canonical []string) {
	st := c.state(e)
	en := &entry{st: st, vals: slices.Clone(canonical), stored: true}
	st.rows.put(e.KeyOf(en.vals), en)
	c.own(st, en, &judgment{st: st, e: e, vals: en.vals})
}

// remember puts an accepted row (or one the source holds as already loaded: stored
// false) in the window.
func (c *Checker) remember(j *judgment, stored bool) {
	st := j.st
	en := &entry{st: st, vals: j.vals, line: j.line, file: c.file, mine: true, stored: stored,
		owns: make([]owned, 0, 1+len(st.uniques)+len(st.consist))}
	key := st.e.KeyOf(j.vals)
	st.rows.put(key, en)
	st.extent.accepted(st, key, j)
	if stored {
		c.own(st, en, j)
	}
	c.queue(en)
}

// own makes en the owner of its unique values (j's) and of its consistency values,
// where no row of the window holds them yet.
func (c *Checker) own(st *entityState, en *entry, j *judgment) {
	for k, us := range st.uniques {
		if v, ok := j.unique(k); ok {
			us.ix.put(v, en)
		}
	}
	for _, cs := range st.consist {
		cs.ix.put(en.vals[cs.key], en)
	}
}

// queue lets the window know of en, so that it lets it go once its batch is committed.
// Without a Lookup, nothing is let go.
func (c *Checker) queue(en *entry) {
	if c.look != nil {
		c.fifo = append(c.fifo, en)
	}
}

// Forget withdraws an accepted row, for when the database refused it after all: its
// children are then orphans, as they would be had the checker rejected it.
func (c *Checker) Forget(e *domain.Entity, file string, canonical []string, line int) {
	st := c.state(e)
	key := e.KeyOf(canonical)
	if en := st.rows.get(key); en != nil && en.mine && en.stored {
		en.drop()
		c.rejectKey(st, file, canonical, line)
	}
}

// rejectKey remembers that the row with this key was rejected at line of file, to
// explain its orphans.
func (c *Checker) rejectKey(st *entityState, file string, vals []string, line int) {
	en := &entry{st: st, vals: vals, line: line, file: file, mine: true}
	st.rejected.put(st.e.KeyOf(vals), en)
	c.queue(en)
}

// Committed tells the checker that the batches holding the lines of file up to line
// are committed, and with them every batch of the files before it: the database
// answers for their rows from now on, and the facts the tables do not hold go to its
// Memory. The file is named, not taken as the one being read: the reader may already
// judge the next file while the last batches of this one commit.
func (c *Checker) Committed(ctx context.Context, file string, line int) error {
	if c.look == nil {
		return nil
	}
	n := 0
	for n < len(c.fifo) && (c.fifo[n].file == file && c.fifo[n].line <= line || c.before(c.fifo[n].file, file)) {
		n++
	}
	if n == 0 {
		return nil
	}
	// Room at once for every fact: a dry run's batch keeps two or more per row, and
	// growing a slice of them by appends cost a tenth of a dry run's client time.
	size := 0
	for _, en := range c.fifo[:n] {
		if !en.stored || !c.writes {
			size += len(en.owns)
		}
	}
	facts := make([]store.Fact, 0, size)
	for _, en := range c.fifo[:n] {
		if en.stored && c.writes {
			continue
		}
		for _, o := range en.owns {
			f := store.Fact{Entity: en.st.e.Name, Index: o.ix.name, Value: o.v, Line: en.line, File: en.file, Values: en.vals}
			if o.ix == en.st.rejected {
				if !en.st.referred {
					continue // no row can be its orphan
				}
				f.Values = nil // its line is all that explains an orphan
			}
			facts = append(facts, f)
		}
	}
	if len(facts) > 0 && c.mem != nil {
		if err := c.mem.Keep(ctx, facts); err != nil {
			return err
		}
	}
	for _, en := range c.fifo[:n] {
		if en.stored && c.writes && en.st.referred {
			c.keepParent(en)
		}
		en.drop()
	}
	clear(c.fifo[:n])
	c.fifo = c.fifo[n:]
	return nil
}

// keepParent keeps en, a row of an entity others refer to, among the stored parents
// its children look up (see parents), once its batch is committed: as a look-up would
// find it, its lists' items in byte order. A run that loads the projects before their
// affectations then finds them there, where each project was looked up once (at
// 200,000 affectations, 107 statements and 107,000 rows read: 0.8 s of the writing
// node's 10 to 12 s on a cluster). Not a row the server refused after all (Forget took
// it out of the window), nor one a later row of the run replaced in it.
func (c *Checker) keepParent(en *entry) {
	st := en.st
	key, ok := en.valueIn(st.rows)
	if !ok {
		return
	}
	vals := en.vals
	for _, l := range st.e.Lists {
		i := st.e.Index(l.Column)
		if sorted := rules.ListInByteOrder(vals[i]); sorted != vals[i] {
			if &vals[0] == &en.vals[0] {
				vals = slices.Clone(vals)
			}
			vals[i] = sorted
		}
	}
	c.parentsOf(st).keep(st, key, &entry{st: st, vals: vals})
}

// parentsOf returns st's cache of stored parents, made when missing. The caches of
// all entities share one bound (see parentBytes).
func (c *Checker) parentsOf(st *entityState) *parents {
	if st.parents == nil {
		st.parents = &parents{others: func() int {
			n := 0
			for _, o := range c.states {
				if o != st {
					n += o.parents.charge()
				}
			}
			return n
		}}
	}
	return st.parents
}

// Input is one row to judge: the line it was read at and its raw values, aligned with
// the entity's fields ("" for a column the file lacks).
type Input struct {
	Line int
	Raw  []string
}

// CheckAll judges rows of e, in order, as Check does one: each is compared with the rows
// before it and, through the Lookup, with the rows already stored. The stored rows the
// chunk mentions (its keys, unique values, the values its rows must agree on, the
// parents it refers to) are looked up first, in one round of indexed look-ups: the cost
// follows the rows given, not the size of the database. It returns an error only when a
// look-up fails.
func (c *Checker) CheckAll(ctx context.Context, e *domain.Entity, rows []Input) ([]Result, error) {
	js := c.buf.judgments(c, e, rows)
	defer c.buf.reset()
	if c.look != nil {
		defer c.forgetFound()
		if c.mayReplace(e) {
			c.state(e).parents = nil
		}
		if err := c.lookUp(ctx, e, js); err != nil {
			return nil, err
		}
	}
	out := make([]Result, len(js))
	for i := range js {
		out[i] = c.judge(&js[i])
	}
	return out, nil
}

// Check judges one row of e read at line (raw values aligned with e.Fields; "" for a
// column the file lacks) and, when it is accepted, remembers it for the rows after it.
// It looks nothing up: it judges against what the checker holds (every row of the run
// and those Preloaded, for a checker without a Lookup). CheckAll is the form that looks
// stored rows up.
func (c *Checker) Check(e *domain.Entity, line int, raw []string) Result {
	j := c.normalize(e, line, raw, make([]string, len(e.Fields)), make([]bool, len(e.Fields)))
	return c.judge(&j)
}

// judge gives the verdict on one normalised row. The steps: its key, its row rules, its
// unique sets, its consistency with rows sharing a value, its references, and the rules
// on the rows it refers to.
func (c *Checker) judge(j *judgment) Result {
	st, e := j.st, j.e
	keyGood := !anyBadIdx(j.bad, st.keyIdx)
	replacing := false
	var prev *entry
	if keyGood {
		prev = c.known(st, st.rows, e.KeyOf(j.vals))
		var final bool
		if replacing, final = c.checkKey(j, prev); final {
			return j.res
		}
	}
	j.checkRowRules()
	c.checkUniques(j)
	c.checkConsistency(j)
	var found [4]*entry // the parents, aligned with e.Refs
	parents := found[:]
	if len(e.Refs) > len(found) {
		parents = make([]*entry, len(e.Refs))
	}
	c.checkRefs(j, parents)
	c.checkParents(j, parents)
	if len(j.res.Violations) > 0 {
		if keyGood && prev == nil {
			c.rejectKey(st, c.file, j.vals, j.line)
		}
		j.res.Outcome = Reject
		return j.res
	}
	// A replacing row is remembered as this run's, not as loaded: another row of the run
	// with its key and other content is then a conflict, not a second replacement.
	c.remember(j, true)
	j.res.Outcome = Accept
	if replacing {
		j.res.Outcome = Replace
	}
	return j.res
}

// known returns the row of st whose value in ix is v: the window's, else the one the
// look-ups of the chunk found, else nil.
func (c *Checker) known(st *entityState, ix *index, v string) *entry {
	if en := ix.get(v); en != nil {
		return en
	}
	return ix.found[v]
}

// foundIn returns the map of what the chunk's look-ups found in ix.
func (c *Checker) foundIn(ix *index) map[string]*entry {
	if ix.found == nil {
		ix.found = map[string]*entry{}
		c.found = append(c.found, ix)
	}
	return ix.found
}

// forgetFound lets go of what the chunk's look-ups found, keeping the maps' room.
func (c *Checker) forgetFound() {
	for _, ix := range c.found {
		clear(ix.found)
	}
	c.arena.reset()
}

// lookUp finds, for the rows of a chunk of e, the stored rows the window does not hold:
// rows of e with their keys, unique values and consistency values, and the parents they
// refer to (or, for a parent found nowhere, the line that rejected it).
func (c *Checker) lookUp(ctx context.Context, e *domain.Entity, js []judgment) error {
	st := c.state(e)
	if err := c.readExtent(ctx, st); err != nil {
		return err
	}
	for _, step := range []func(context.Context, *entityState, []judgment) error{
		c.lookUpKeys, c.lookUpUniques, c.lookUpConsistency, c.lookUpParents,
	} {
		if err := step(ctx, st, js); err != nil {
			return err
		}
	}
	return nil
}

// lookUpKeys looks up the keys of the chunk's rows.
func (c *Checker) lookUpKeys(ctx context.Context, st *entityState, js []judgment) error {
	e := st.e
	p := c.newProbe()
	for i := range js {
		if j := &js[i]; !anyBadIdx(j.bad, st.keyIdx) {
			k := e.KeyOf(j.vals)
			if st.extent.mayHoldKey(st, k) && st.rows.get(k) == nil {
				p.add(k, j.vals, st.keyIdx)
			}
		}
	}
	return c.find(ctx, st, st.rows, e.Key, p)
}

// lookUpUniques looks up the unique values of the chunk's rows.
func (c *Checker) lookUpUniques(ctx context.Context, st *entityState, js []judgment) error {
	for k, us := range st.uniques {
		p := c.newProbe()
		for i := range js {
			j := &js[i]
			if anyBadIdx(j.bad, us.idx) {
				continue
			}
			if v, ok := j.unique(k); ok && st.extent.mayHold(us.ix.name, v) && us.ix.get(v) == nil {
				p.add(v, j.vals, us.idx)
			}
		}
		if err := c.findFields(ctx, st, us.ix, us.u.Columns, append(slices.Clone(st.e.Key), us.u.Columns...), true, p); err != nil {
			return err
		}
	}
	return nil
}

// lookUpConsistency looks up the values the chunk's rows must agree on.
func (c *Checker) lookUpConsistency(ctx context.Context, st *entityState, js []judgment) error {
	for _, cs := range st.consist {
		p := c.newProbe()
		for i := range js {
			j := &js[i]
			if v := j.vals[cs.key]; !j.bad[cs.key] && v != "" && st.extent.mayHold(cs.ix.name, v) && cs.ix.get(v) == nil {
				p.addValue(v)
			}
		}
		if err := c.findFields(ctx, st, cs.ix, []string{cs.c.Key}, append([]string{cs.c.Key}, cs.c.Columns...), true, p); err != nil {
			return err
		}
	}
	return nil
}

// lookUpParents looks up the parents of the chunk's rows (those met in earlier chunks
// kept), and why those found nowhere are missing.
func (c *Checker) lookUpParents(ctx context.Context, st *entityState, js []judgment) error {
	for _, ref := range st.e.Refs {
		pst, i := c.states[ref.Parent], st.e.Index(ref.Column)
		found := c.foundIn(pst.rows)
		p := c.newProbe()
		for k := range js {
			j := &js[k]
			v := j.vals[i]
			if j.bad[i] || v == "" || pst.rows.get(v) != nil || found[v] != nil {
				continue
			}
			if pr, ok := pst.parents.get(v); ok {
				found[v] = c.arena.expand(pst, pst.parents, pr)
				continue
			}
			p.addValue(v)
		}
		// A parent's lineage is not read (no rule on a parent reads it, and the
		// parents kept leave it out), unless it is a row of the chunk's own entity.
		if err := c.findFields(ctx, pst, pst.rows, pst.e.Key, pst.refCols, pst == st, p); err != nil {
			return err
		}
		if err := c.recallMissing(ctx, pst, found, p.values); err != nil {
			return err
		}
	}
	return nil
}

// recallMissing keeps the parents found, and looks those found nowhere up among the
// keys the run rejected.
func (c *Checker) recallMissing(ctx context.Context, pst *entityState, found map[string]*entry, values []string) error {
	var missing []string
	for _, v := range values {
		en := found[v]
		if en == nil && pst.rejected.get(v) == nil {
			missing = append(missing, v)
		}
		if en != nil {
			c.parentsOf(pst).keep(pst, v, en)
		}
	}
	return c.recall(ctx, pst, pst.rejected, missing)
}

// readExtent reads, once per file, what st's table holds (see fileExtent).
func (c *Checker) readExtent(ctx context.Context, st *entityState) error {
	if st.extent.read && st.extent.file == c.file {
		return nil
	}
	x, err := c.look.Extent(ctx, st.e)
	if err != nil {
		return err
	}
	st.extent = fileExtent{file: c.file, read: true, empty: x.Empty}
	if x.Empty {
		st.extent.added = newBloom()
	} else if x.Numeric {
		st.extent.widen(x.Lo)
		st.extent.widen(x.Hi)
	}
	return nil
}

// probe is the values a chunk looks up in one index, each once, with the tuple of
// column values that finds it in the table. The checker has one, used again by every
// look-up (Find and Recall do not keep what they are given).
type probe struct {
	values []string
	tuples [][]string
	flat   []string // the tuples' values, one after the other
	seen   map[string]bool
}

// newProbe returns the checker's probe, emptied.
func (c *Checker) newProbe() *probe {
	p := &c.probe
	if p.seen == nil {
		p.seen = map[string]bool{}
	}
	clear(p.seen)
	clear(p.values)
	clear(p.tuples)
	clear(p.flat)
	p.values, p.tuples, p.flat = p.values[:0], p.tuples[:0], p.flat[:0]
	return p
}

// add asks for v, found by the values at idx of vals.
func (p *probe) add(v string, vals []string, idx []int) {
	if !p.seen[v] {
		p.seen[v] = true
		p.values = append(p.values, v)
		for _, k := range idx {
			p.flat = append(p.flat, vals[k])
		}
	}
}

// addValue asks for v, found by v itself.
func (p *probe) addValue(v string) {
	if !p.seen[v] {
		p.seen[v] = true
		p.values = append(p.values, v)
		p.flat = append(p.flat, v)
	}
}

// tupled returns the tuples of the values asked, each of n values.
func (p *probe) tupled(n int) [][]string {
	for i := range p.values {
		p.tuples = append(p.tuples, p.flat[i*n:(i+1)*n:(i+1)*n])
	}
	return p.tuples
}

// pick returns the values at idx.
func pick(vals []string, idx []int) []string {
	out := make([]string, len(idx))
	for i, k := range idx {
		out[i] = vals[k]
	}
	return out
}

// find looks p up in the stored rows of st, and in the run's Memory where it may hold
// rows of the index, and files what it finds under ix's name by value: the Memory's
// (this run's) over the database's. Of several stored rows with one value (the lines of
// one order), the one read first is kept.
func (c *Checker) find(ctx context.Context, st *entityState, ix *index, cols []string, p *probe) error {
	return c.findFields(ctx, st, ix, cols, nil, true, p)
}

// findFields is find with only the columns fields of the stored rows (nil: all), and
// their lineage when lineage is set.
func (c *Checker) findFields(ctx context.Context, st *entityState, ix *index, cols, fields []string, lineage bool, p *probe) error {
	m := c.foundIn(ix)
	if len(p.values) == 0 {
		return nil
	}
	err := c.look.Find(ctx, st.e, cols, p.tupled(len(cols)), fields, lineage, func(s store.Stored) error {
		en := c.arena.entry()
		*en = entry{st: st, vals: s.Values, line: s.Line, file: s.File, mine: s.RunID == c.runID, stored: true}
		v := ix.value(en)
		if !p.seen[v] {
			return nil // another value than those asked (a unique set's case)
		}
		if old := m[v]; old == nil || en.line < old.line {
			m[v] = en
		}
		return nil
	})
	if err != nil {
		return err
	}
	// The Memory holds rows of the run when its batches write nothing (a dry run), and
	// the reference rows the source holds as already loaded (claimed: key only).
	if !c.writes || (ix == st.rows && st.e.History != "") {
		return c.recall(ctx, st, ix, p.values)
	}
	return nil
}

// recall files under ix's name the facts the Memory holds of values.
func (c *Checker) recall(ctx context.Context, st *entityState, ix *index, values []string) error {
	if c.mem == nil || len(values) == 0 {
		return nil
	}
	m := c.foundIn(ix)
	return c.mem.Recall(ctx, st.e.Name, ix.name, values, func(f store.Fact) error {
		m[f.Value] = &entry{st: st, vals: f.Values, line: f.Line, file: f.File, mine: true}
		return nil
	})
}

// judgment is a row being judged: its canonical values, which of them broke their
// field's rule (the rules that read those are not applied, so a bad value is reported
// once), and the verdict so far.
type judgment struct {
	st   *entityState
	e    *domain.Entity
	line int
	vals []string
	bad  []bool
	res  Result
	// uniq holds the values of the entity's unique sets (see unique), once asked for.
	uniq []uniqueOf
}

type uniqueOf struct {
	v  string
	ok bool
}

// unique returns the value of the row's k-th unique set (see uniqueValue), computed
// once per row: the look-ups, the verdict and the window all ask for it.
func (j *judgment) unique(k int) (string, bool) {
	if len(j.uniq) == 0 {
		if cap(j.uniq) < len(j.st.uniques) {
			j.uniq = make([]uniqueOf, 0, len(j.st.uniques))
		}
		j.uniq = j.uniq[:len(j.st.uniques)]
		for i, us := range j.st.uniques {
			j.uniq[i].v, j.uniq[i].ok = uniqueValue(us.idx, j.vals)
		}
	}
	return j.uniq[k].v, j.uniq[k].ok
}

func (j *judgment) add(v rules.Violation) { j.res.Violations = append(j.res.Violations, v) }

// normalize gives the row's canonical values (in canon); a value its field refuses is
// kept as clean text, and marked bad (in bad).
func (c *Checker) normalize(e *domain.Entity, line int, raw, canon []string, bad []bool) judgment {
	j := judgment{st: c.state(e), e: e, line: line, res: Result{Canonical: canon}, bad: bad}
	for i, f := range e.Fields {
		v := ""
		if i < len(raw) {
			v = raw[i]
		}
		value, viol := f.Normalize(v, c.today)
		if viol != nil {
			j.add(*viol)
			j.bad[i] = true
			value = rules.CleanText(v)
		}
		j.res.Canonical[i] = value
	}
	j.vals = j.res.Canonical
	return j
}

// mayReplace reports whether a row of e may replace the stored row of its key, when
// their contents differ: with reprise -update, or for reference data that keeps a
// history. Otherwise such a row is a conflict, and no stored row of e ever changes.
func (c *Checker) mayReplace(e *domain.Entity) bool { return c.replace || e.History != "" }

// checkKey compares the row with prev, the row known under its key (nil: none). The
// same row again is ignored: final, the verdict is given. Other content is a conflict,
// or replaces a loaded row (replacing) with reprise -update or for reference data that
// changed.
func (c *Checker) checkKey(j *judgment, prev *entry) (replacing, final bool) {
	if prev == nil {
		return false, false
	}
	e := j.e
	same := e.Same(prev.vals, j.vals)
	keyName := e.KeyName() + " " + e.KeyOf(j.vals)
	switch {
	case same && !prev.mine:
		if e.History != "" {
			// This run's source holds the loaded row: another row of it with the key
			// and other content is a conflict within the source, not a change.
			c.remember(j, false)
		}
		j.res = verdict(j.res, Ignore, rules.Violation{Column: e.KeyName(), Code: rules.AlreadyLoaded,
			Detail: keyName + " is already in the database with the same content"})
		return false, true
	case same:
		j.res = verdict(j.res, Ignore, rules.Violation{Column: e.KeyName(), Code: rules.DuplicateRow,
			Detail: "identical to " + c.at(prev)})
		return false, true
	case !prev.mine && c.mayReplace(e):
		return true, false
	case !prev.mine:
		j.add(rules.Violation{Column: e.KeyName(), Code: rules.DuplicateKeyConflict,
			Detail: keyName + " is already in the database with other content"})
	default:
		j.add(rules.Violation{Column: e.KeyName(), Code: rules.DuplicateKeyConflict,
			Detail: fmt.Sprintf("%s already at %s with other content", keyName, c.at(prev))})
	}
	return false, false
}

// checkRowRules applies the entity's rules on one row.
func (j *judgment) checkRowRules() {
	for _, rr := range j.e.RowRules {
		if anyBad(j.e, j.bad, rr.Columns) {
			continue
		}
		if v := rr.Check(j); v != nil {
			j.add(*v)
		}
	}
}

// checkUniques refuses a value of a unique set that another row holds.
func (c *Checker) checkUniques(j *judgment) {
	for k, us := range j.st.uniques {
		if anyBadIdx(j.bad, us.idx) {
			continue
		}
		v, ok := j.unique(k)
		if !ok {
			continue
		}
		o := c.known(j.st, us.ix, v)
		if o == nil || j.e.KeyOf(o.vals) == j.e.KeyOf(j.vals) {
			continue
		}
		where := "in the database"
		if o.mine {
			where = "at " + c.at(o)
		}
		cols := strings.Join(us.u.Columns, ",")
		j.add(rules.Violation{Column: cols, Code: us.u.Code,
			Detail: fmt.Sprintf("%s already used by %s %s %s", cols, j.e.KeyName(), j.e.KeyOf(o.vals), where)})
	}
}

// checkConsistency refuses a row whose columns disagree with those of an earlier row
// sharing its value (the lines of one order have one reseller and one date).
func (c *Checker) checkConsistency(j *judgment) {
	for _, cs := range j.st.consist {
		if j.bad[cs.key] || anyBadIdx(j.bad, cs.cols) {
			continue
		}
		prev := c.known(j.st, cs.ix, j.vals[cs.key])
		if prev == nil || slices.Equal(pick(prev.vals, cs.cols), pick(j.vals, cs.cols)) {
			continue
		}
		texts := make([]string, len(cs.cols))
		for i, idx := range cs.cols {
			texts[i] = cs.c.Columns[i] + " " + prev.vals[idx]
		}
		where := "in the database"
		if prev.mine {
			where = "at " + c.at(prev)
		}
		j.add(rules.Violation{Column: strings.Join(cs.c.Columns, ","), Code: rules.DuplicateKeyConflict,
			Detail: fmt.Sprintf("%s %s has %s %s", cs.c.Key, j.vals[cs.key], strings.Join(texts, ", "), where)})
	}
}

// checkRefs refuses a reference to a row no file or database holds, saying when that
// row was rejected. It sets parents (aligned with the entity's Refs) to the parent rows
// found, for the parent rules. Judging the files alone (FilesAlone), a reference to a
// row no file of the run holds is counted in the result as not judged, not refused.
func (c *Checker) checkRefs(j *judgment, parents []*entry) {
	for k, ref := range j.e.Refs {
		i, pst := j.st.refs[k].col, j.st.refs[k].parent
		if j.bad[i] || j.vals[i] == "" {
			continue
		}
		if p := c.known(pst, pst.rows, j.vals[i]); p != nil {
			parents[k] = p
			continue
		}
		detail := fmt.Sprintf("%s %s not found in %s", ref.Column, j.vals[i], ref.Parent)
		if r := c.known(pst, pst.rejected, j.vals[i]); r != nil {
			detail = fmt.Sprintf("%s %s was rejected (%s line %d)", ref.Column, j.vals[i], ref.Parent, r.line)
		} else if c.blind {
			j.res.Unjudged++
			continue
		}
		j.add(rules.Violation{Column: ref.Column, Code: rules.UnknownReference, Detail: detail})
	}
	if j.res.Unjudged > 0 {
		c.unjudged++
	}
}

// checkParents applies the rules that read the row a reference points to (parents,
// aligned with the entity's Refs).
func (c *Checker) checkParents(j *judgment, parents []*entry) {
	for k, pc := range j.e.ParentRules {
		r := j.st.parentRules[k]
		if r < 0 {
			continue // a rule on no reference of the entity reads no parent
		}
		p := parents[r]
		if p == nil || j.bad[j.st.refs[r].col] {
			continue
		}
		if v := pc.Rule.Check(j, p); v != nil {
			j.add(*v)
		}
	}
}

func verdict(res Result, o Outcome, v rules.Violation) Result {
	res.Outcome = o
	res.Violations = []rules.Violation{v}
	return res
}

func anyBad(e *domain.Entity, bad []bool, cols []string) bool {
	for _, col := range cols {
		if i := e.Index(col); i >= 0 && bad[i] {
			return true
		}
	}
	return false
}

func anyBadIdx(bad []bool, idx []int) bool {
	for _, i := range idx {
		if i >= 0 && bad[i] {
			return true
		}
	}
	return false
}
