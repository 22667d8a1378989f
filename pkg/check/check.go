// Package check judges rows of a domain one at a time, without a database: it normalises
// them, applies every rule of pkg/rules, and remembers what it has accepted so that
// duplicates, conflicts, taken e-mails and references are caught across rows and files.
// migration, reprise and the tests of generate_data all judge rows with it, so they
// cannot disagree. Rows already in the database are fed in with Preload.
package check

import (
	"fmt"
	"hash/maphash"
	"slices"
	"strconv"
	"strings"

	"dmt/pkg/domain"
	"dmt/pkg/model"
	"dmt/pkg/rules"
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

// hkey is a 64-bit hash of a key: the checker holds millions of them, so it keeps
// hashes, not strings. Two keys of one entity share a hash with a probability of about
// n²/2⁶⁵ (5·10⁻⁸ for 1.3 million keys); the memory saved keeps a million-row load
// under 300 MB.
type hkey uint64

type seen struct {
	content uint64 // a 64-bit hash is plenty to tell two rows of one key apart
	line    int32
	src     int16 // index in Checker.sources of the file the line is in
	loaded  bool  // already in the database before this run
}

type entityState struct {
	e        *domain.Entity
	keyIdx   []int
	listIdx  []bool
	rows     map[hkey]seen
	rejected map[hkey]int32 // keys of rejected rows, with their line: to explain orphans
	uniques  []uniqueState
	// facts keeps, of accepted rows of entities that parent rules look into, the
	// columns those rules read (factCols), and nothing more: there may be millions.
	facts    map[hkey]string // factCols' values joined by \x00
	factCols []string
	consist  []consistState
}

// consistState remembers, for one Consistency, the values each key value came with.
type consistState struct {
	c    domain.Consistency
	key  int
	cols []int
	seen map[hkey]consistOf
}

type consistOf struct {
	vals hkey
	text string
	line int32
	src  int16
}

type uniqueState struct {
	u     domain.Unique
	idx   []int
	owner map[hkey]ownerOf
}

// ownerOf is the row that holds a unique value: its key as a number when it is one
// (no allocation for the millions of numeric keys), else as text, and its line.
type ownerOf struct {
	line int32
	num  int32
	text *string
}

func newOwner(key string, line int) ownerOf {
	if n, err := strconv.ParseInt(key, 10, 32); err == nil && strconv.FormatInt(n, 10) == key {
		return ownerOf{num: int32(n), line: int32(line)}
	}
	return ownerOf{text: &key, line: int32(line)}
}

func (o ownerOf) key() string {
	if o.text != nil {
		return *o.text
	}
	return strconv.FormatInt(int64(o.num), 10)
}

// Checker judges rows of one domain. It is not safe for concurrent use.
type Checker struct {
	d      *domain.Domain
	today  model.Date
	seeds  [2]maphash.Seed
	states map[string]*entityState
	// replace makes a valid row whose key is loaded with other content a Replace
	// instead of a conflict (reprise -update).
	replace bool
	// sources names the files read so far; the current one is the last. Details name
	// the file of an earlier line when it is another one.
	sources []string
}

// SetSource tells the checker that the rows that follow come from the file name, so that
// a duplicate of a row of another file says which file.
func (c *Checker) SetSource(name string) {
	if len(c.sources) < 32000 {
		c.sources = append(c.sources, name)
	}
}

// at names where an earlier row was: "line 3", or "line 3 of clients_lyon.csv".
func (c *Checker) at(line int32, src int16) string {
	if n := len(c.sources); n > 0 && int(src) != n-1 && int(src) < n {
		return fmt.Sprintf("line %d of %s", line, c.sources[src])
	}
	return fmt.Sprintf("line %d", line)
}

func (c *Checker) current() int16 { return int16(max(len(c.sources)-1, 0)) }

// AllowReplace makes Check return Replace, instead of a conflict, for a valid row whose
// key is already in the database with other content. Rows of an entity with a History
// table are judged so always: reference data changes at its source.
func (c *Checker) AllowReplace() { c.replace = true }

// Today returns the date the checker takes as today: the run's date, the day a replaced
// reference row's new values come into force.
func (c *Checker) Today() model.Date { return c.today }

// New returns a Checker for d that takes today as the date beyond which dates are in the
// future.
func New(d *domain.Domain, today model.Date) *Checker {
	c := &Checker{d: d, today: today, seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}, states: map[string]*entityState{}}
	needFacts := map[string][]string{}
	for _, e := range d.Entities {
		for _, pc := range e.ParentRules {
			for _, col := range pc.Rule.Reads {
				if !slices.Contains(needFacts[pc.Ref.Parent], col) {
					needFacts[pc.Ref.Parent] = append(needFacts[pc.Ref.Parent], col)
				}
			}
		}
	}
	for _, e := range d.Entities {
		st := &entityState{e: e, keyIdx: e.KeyIndexes(), rows: map[hkey]seen{}, rejected: map[hkey]int32{}}
		st.listIdx = make([]bool, len(e.Fields))
		for _, l := range e.Lists {
			if i := e.Index(l.Column); i >= 0 {
				st.listIdx[i] = true
			}
		}
		for _, u := range e.Uniques {
			if u.Warn {
				continue
			}
			us := uniqueState{u: u, owner: map[hkey]ownerOf{}}
			for _, col := range u.Columns {
				us.idx = append(us.idx, e.Index(col))
			}
			st.uniques = append(st.uniques, us)
		}
		if cols := needFacts[e.Name]; len(cols) > 0 {
			st.facts = map[hkey]string{}
			st.factCols = cols
		}
		for _, cs := range e.Consistent {
			cst := consistState{c: cs, key: e.Index(cs.Key), seen: map[hkey]consistOf{}}
			for _, col := range cs.Columns {
				cst.cols = append(cst.cols, e.Index(col))
			}
			st.consist = append(st.consist, cst)
		}
		c.states[e.Name] = st
	}
	return c
}

// Domain returns the domain the checker judges.
func (c *Checker) Domain() *domain.Domain { return c.d }

func (c *Checker) hash(parts ...string) hkey {
	if len(parts) == 1 {
		return hkey(maphash.String(c.seeds[0], parts[0]))
	}
	var h maphash.Hash
	h.SetSeed(c.seeds[0])
	for _, p := range parts {
		h.WriteString(p)
		h.WriteByte(0)
	}
	return hkey(h.Sum64())
}

// content hashes a row's canonical values; list items are sorted, so that a list read
// back from the database in another order is the same content.
func (c *Checker) content(st *entityState, vals []string) uint64 {
	parts := vals
	for i, isList := range st.listIdx {
		if isList && strings.Contains(vals[i], "|") {
			parts = slices.Clone(vals)
			items := strings.Split(vals[i], "|")
			slices.Sort(items) // byte order, as the database's binary collation sorts them
			parts[i] = strings.Join(items, "|")
		}
	}
	var h maphash.Hash
	h.SetSeed(c.seeds[1])
	for _, p := range parts {
		h.WriteString(p)
		h.WriteByte(0)
	}
	return h.Sum64()
}

func (c *Checker) state(e *domain.Entity) *entityState {
	st := c.states[e.Name]
	if st == nil {
		panic(fmt.Sprintf("check: entity %q is not in domain %q", e.Name, c.d.Name))
	}
	return st
}

// factRow gives parent rules the columns a checker kept of a parent row.
type factRow struct {
	cols, vals []string
}

func (r factRow) Get(col string) string {
	if i := slices.Index(r.cols, col); i >= 0 {
		return r.vals[i]
	}
	return ""
}

// row gives rules the canonical values of one row by column name.
type row struct {
	e    *domain.Entity
	vals []string
}

func (r row) Get(col string) string {
	if i := r.e.Index(col); i >= 0 {
		return r.vals[i]
	}
	return ""
}

// Preload registers a row that is already in the database (canonical values aligned
// with e.Fields), so that the same row in a file is ignored as ALREADY_LOADED, a
// different one with the same key is a conflict, and children may refer to it.
func (c *Checker) Preload(e *domain.Entity, canonical []string) {
	st := c.state(e)
	c.remember(st, canonical, 0, true)
}

// Loaded reports how many rows of e the checker knows (accepted or preloaded).
func (c *Checker) Loaded(e *domain.Entity) int { return len(c.state(e).rows) }

func (c *Checker) remember(st *entityState, vals []string, line int, loaded bool) {
	key := c.hash(st.e.KeyOf(vals))
	st.rows[key] = seen{content: c.content(st, vals), line: int32(line), src: c.current(), loaded: loaded}
	for _, us := range st.uniques {
		if uk, ok := c.uniqueKey(us, vals); ok {
			if _, taken := us.owner[uk]; !taken {
				us.owner[uk] = newOwner(st.e.KeyOf(vals), line)
			}
		}
	}
	if st.facts != nil {
		var b strings.Builder
		for i, col := range st.factCols {
			if i > 0 {
				b.WriteByte(0)
			}
			b.WriteString(vals[st.e.Index(col)])
		}
		st.facts[key] = b.String()
	}
	for _, cs := range st.consist {
		k := c.hash(vals[cs.key])
		if _, ok := cs.seen[k]; !ok {
			v, text := c.consistValues(cs, vals)
			cs.seen[k] = consistOf{vals: v, text: text, line: int32(line), src: c.current()}
		}
	}
}

func (c *Checker) consistValues(cs consistState, vals []string) (hkey, string) {
	parts := make([]string, len(cs.cols))
	texts := make([]string, len(cs.cols))
	for i, idx := range cs.cols {
		parts[i] = vals[idx]
		texts[i] = cs.c.Columns[i] + " " + vals[idx]
	}
	return c.hash(parts...), strings.Join(texts, ", ")
}

func (c *Checker) uniqueKey(us uniqueState, vals []string) (hkey, bool) {
	parts := make([]string, len(us.idx))
	for i, idx := range us.idx {
		if vals[idx] == "" {
			return 0, false
		}
		parts[i] = strings.ToLower(vals[idx])
	}
	return c.hash(parts...), true
}

// Forget withdraws an accepted row, for when the database refused it after all: its
// children are then orphans, as they would be had the checker rejected it.
func (c *Checker) Forget(e *domain.Entity, canonical []string, line int) {
	st := c.state(e)
	key := c.hash(st.e.KeyOf(canonical))
	if s, ok := st.rows[key]; ok && !s.loaded {
		delete(st.rows, key)
		st.rejected[key] = int32(line)
		for _, us := range st.uniques {
			if uk, ok := c.uniqueKey(us, canonical); ok && us.owner[uk].key() == st.e.KeyOf(canonical) {
				delete(us.owner, uk)
			}
		}
		if st.facts != nil {
			delete(st.facts, key)
		}
	}
}

// Check judges one row of e read at line (raw values aligned with e.Fields; "" for a
// column the file lacks) and, when it is accepted, remembers it for the rows after it.
// The steps: its values, its key, its row rules, its unique sets, its consistency with
// rows sharing a value, its references, and the rules on the rows it refers to.
func (c *Checker) Check(e *domain.Entity, line int, raw []string) Result {
	j := c.normalize(e, line, raw)
	key := c.hash(e.KeyOf(j.vals))
	keyGood := !anyBadIdx(j.bad, j.st.keyIdx)
	replacing := false
	if keyGood {
		var final bool
		if replacing, final = c.checkKey(&j, key); final {
			return j.res
		}
	}
	j.checkRowRules()
	c.checkUniques(&j)
	c.checkConsistency(&j)
	parents := c.checkRefs(&j)
	c.checkParents(&j, parents)
	if len(j.res.Violations) > 0 {
		if _, ok := j.st.rows[key]; keyGood && !ok {
			j.st.rejected[key] = int32(line)
		}
		j.res.Outcome = Reject
		return j.res
	}
	// A replacing row is remembered as this run's, not as loaded: another row of the run
	// with its key and other content is then a conflict, not a second replacement.
	c.remember(j.st, j.vals, line, false)
	j.res.Outcome = Accept
	if replacing {
		j.res.Outcome = Replace
	}
	return j.res
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
}

func (j *judgment) add(v rules.Violation) { j.res.Violations = append(j.res.Violations, v) }

// normalize gives the row's canonical values; a value its field refuses is kept as
// clean text, and marked bad.
func (c *Checker) normalize(e *domain.Entity, line int, raw []string) judgment {
	j := judgment{st: c.state(e), e: e, line: line, res: Result{Canonical: make([]string, len(e.Fields))}, bad: make([]bool, len(e.Fields))}
	for i, f := range e.Fields {
		v := ""
		if i < len(raw) {
			v = raw[i]
		}
		canon, viol := f.Normalize(v, c.today)
		if viol != nil {
			j.add(*viol)
			j.bad[i] = true
			canon = rules.CleanText(v)
		}
		j.res.Canonical[i] = canon
	}
	j.vals = j.res.Canonical
	return j
}

// checkKey compares the row with the row known under its key. The same row again is
// ignored: final, the verdict is given. Other content is a conflict, or replaces a loaded
// row (replacing) with reprise -update or for reference data that changed.
func (c *Checker) checkKey(j *judgment, key hkey) (replacing, final bool) {
	prev, ok := j.st.rows[key]
	if !ok {
		return false, false
	}
	e := j.e
	content := c.content(j.st, j.vals)
	keyName := e.KeyName() + " " + e.KeyOf(j.vals)
	switch {
	case prev.content == content && prev.loaded:
		if e.History != "" {
			// This run's source holds the loaded row: another row of it with the key
			// and other content is a conflict within the source, not a change.
			j.st.rows[key] = seen{content: content, line: int32(j.line), src: c.current()}
		}
		j.res = c.verdict(j.res, Ignore, rules.Violation{Column: e.KeyName(), Code: rules.AlreadyLoaded,
			Detail: keyName + " is already in the database with the same content"})
		return false, true
	case prev.content == content:
		j.res = c.verdict(j.res, Ignore, rules.Violation{Column: e.KeyName(), Code: rules.DuplicateRow,
			Detail: "identical to " + c.at(prev.line, prev.src)})
		return false, true
	case prev.loaded && (c.replace || e.History != ""):
		return true, false
	case prev.loaded:
		j.add(rules.Violation{Column: e.KeyName(), Code: rules.DuplicateKeyConflict,
			Detail: keyName + " is already in the database with other content"})
	default:
		j.add(rules.Violation{Column: e.KeyName(), Code: rules.DuplicateKeyConflict,
			Detail: fmt.Sprintf("%s already at %s with other content", keyName, c.at(prev.line, prev.src))})
	}
	return false, false
}

// checkRowRules applies the entity's rules on one row.
func (j *judgment) checkRowRules() {
	r := row{e: j.e, vals: j.vals}
	for _, rr := range j.e.RowRules {
		if anyBad(j.e, j.bad, rr.Columns) {
			continue
		}
		if v := rr.Check(r); v != nil {
			j.add(*v)
		}
	}
}

// checkUniques refuses a value of a unique set that another row holds.
func (c *Checker) checkUniques(j *judgment) {
	for _, us := range j.st.uniques {
		if anyBadIdx(j.bad, us.idx) {
			continue
		}
		uk, ok := c.uniqueKey(us, j.vals)
		if !ok {
			continue
		}
		if o, taken := us.owner[uk]; taken && o.key() != j.e.KeyOf(j.vals) {
			where := "in the database"
			if o.line > 0 {
				where = fmt.Sprintf("at line %d", o.line)
			}
			cols := strings.Join(us.u.Columns, ",")
			j.add(rules.Violation{Column: cols, Code: us.u.Code,
				Detail: fmt.Sprintf("%s already used by %s %s %s", cols, j.e.KeyName(), o.key(), where)})
		}
	}
}

// checkConsistency refuses a row whose columns disagree with those of an earlier row
// sharing its value (the lines of one order have one reseller and one date).
func (c *Checker) checkConsistency(j *judgment) {
	for _, cs := range j.st.consist {
		if j.bad[cs.key] || anyBadIdx(j.bad, cs.cols) {
			continue
		}
		prev, ok := cs.seen[c.hash(j.vals[cs.key])]
		if v, _ := c.consistValues(cs, j.vals); ok && prev.vals != v {
			where := "in the database"
			if prev.line > 0 {
				where = "at " + c.at(prev.line, prev.src)
			}
			j.add(rules.Violation{Column: strings.Join(cs.c.Columns, ","), Code: rules.DuplicateKeyConflict,
				Detail: fmt.Sprintf("%s %s has %s %s", cs.c.Key, j.vals[cs.key], prev.text, where)})
		}
	}
}

// checkRefs refuses a reference to a row no file or database holds, saying when that
// row was rejected. It returns, by reference column, what the checker kept of the
// parent rows found, for the parent rules.
func (c *Checker) checkRefs(j *judgment) map[string][]string {
	parents := map[string][]string{}
	for _, ref := range j.e.Refs {
		i := j.e.Index(ref.Column)
		if j.bad[i] || j.vals[i] == "" {
			continue
		}
		pst := c.states[ref.Parent]
		pk := c.hash(j.vals[i])
		if _, ok := pst.rows[pk]; ok {
			if pst.facts != nil {
				parents[ref.Column] = strings.Split(pst.facts[pk], "\x00")
			}
			continue
		}
		detail := fmt.Sprintf("%s %s not found in %s", ref.Column, j.vals[i], ref.Parent)
		if line, ok := pst.rejected[pk]; ok {
			detail = fmt.Sprintf("%s %s was rejected (%s line %d)", ref.Column, j.vals[i], ref.Parent, line)
		}
		j.add(rules.Violation{Column: ref.Column, Code: rules.UnknownReference, Detail: detail})
	}
	return parents
}

// checkParents applies the rules that read the row a reference points to.
func (c *Checker) checkParents(j *judgment, parents map[string][]string) {
	r := row{e: j.e, vals: j.vals}
	for _, pc := range j.e.ParentRules {
		pvals := parents[pc.Ref.Column]
		if pvals == nil || j.bad[j.e.Index(pc.Ref.Column)] {
			continue
		}
		if v := pc.Rule.Check(r, factRow{cols: c.states[pc.Ref.Parent].factCols, vals: pvals}); v != nil {
			j.add(*v)
		}
	}
}

func (c *Checker) verdict(res Result, o Outcome, v rules.Violation) Result {
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
