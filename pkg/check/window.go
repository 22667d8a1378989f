package check

import (
	"context"
	"hash/maphash"
	"os"

	"dmt/pkg/store"
)

// entry is a row the checker holds: one the run judged (accepted, or found already
// loaded and so held by the source, or rejected), or one a look-up found in the
// database or in the run's Memory.
type entry struct {
	st   *entityState // the entity it is a row of
	vals []string     // canonical values aligned with the entity's fields
	line int
	file string
	// mine: the run read it, so messages name its line; otherwise it was stored by an
	// earlier run ("in the database").
	mine bool
	// stored: once its batch is committed, the database's tables hold it as this run's
	// (an accepted or replacing row), so the checker may let it go.
	stored bool
	// owns lists the indexes that point to this entry, with its value in each, to drop
	// it from all of them.
	owns []owned
}

// owned is an index that points to an entry, and the entry's value there.
type owned struct {
	ix *index
	v  string
}

// index finds entries by a value computed from them (a key, a unique set's values,
// the value rows must agree on): a map of values, compared exactly. Entries come and
// go with the batches in flight: the map's room follows the largest window, not the
// run.
type index struct {
	name  string                // the Fact index name: "key", "rejected", "u0", "c0"
	value func(e *entry) string // the value an entry is found by
	m     map[string]*entry
	peak  int  // the most entries m held since it was made
	first bool // the first entry of a value stays (unique owners); else the latest replaces it
	// found holds the stored rows the look-ups of the chunk being judged found by their
	// value in this index (see Checker.foundIn).
	found map[string]*entry
}

func newIndex(name string, first bool, value func(*entry) string) *index {
	return &index{name: name, value: value, m: map[string]*entry{}, first: first}
}

var seed = maphash.MakeSeed()

// hashOf places values in the Bloom filters (see bloom): a value a filter rules out
// is not looked up, one it does not is looked up and compared. Tests set it to a
// function that maps every value to one place (or DMT_TEST_HASH=collide does, for a
// built program), to prove that verdicts hold when every hash collides.
var hashOf = func(s string) uint64 { return maphash.String(seed, s) }

func init() {
	if os.Getenv("DMT_TEST_HASH") == "collide" {
		hashOf = func(string) uint64 { return 0 }
	}
}

// get returns the entry whose value is v, or nil.
func (ix *index) get(v string) *entry { return ix.m[v] }

// put makes e the entry of its value v (unless the index keeps the first and one is
// there), and reports whether it did.
func (ix *index) put(v string, e *entry) bool {
	if old := ix.m[v]; old != nil {
		if ix.first {
			return false
		}
		old.disown(ix)
	}
	ix.m[v] = e
	ix.peak = max(ix.peak, len(ix.m))
	e.owns = append(e.owns, owned{ix, v})
	return true
}

// roomyIndex is the size from which an index's map, once empty, is made anew: a Go map
// keeps the room of its largest size, and the window of each file a run has read would
// otherwise keep its batches' room to the end (14 MB of a parents run's peak).
const roomyIndex = 4096

// remove takes e out of the index, when it is there.
func (ix *index) remove(e *entry) {
	for _, o := range e.owns {
		if o.ix == ix && ix.m[o.v] == e {
			delete(ix.m, o.v)
		}
	}
	e.disown(ix)
	if len(ix.m) == 0 && ix.peak >= roomyIndex {
		ix.m, ix.peak = map[string]*entry{}, 0
	}
}

// valueIn returns e's value in ix, when ix points to e.
func (e *entry) valueIn(ix *index) (string, bool) {
	for _, o := range e.owns {
		if o.ix == ix {
			return o.v, true
		}
	}
	return "", false
}

// disown forgets that ix points to e.
func (e *entry) disown(ix *index) {
	for i, o := range e.owns {
		if o.ix == ix {
			e.owns = append(e.owns[:i], e.owns[i+1:]...)
			return
		}
	}
}

// drop takes e out of every index that points to it.
func (e *entry) drop() {
	for len(e.owns) > 0 {
		e.owns[0].ix.remove(e)
	}
}

// localMemory is a Memory in the process: for a run whose account may not create a
// session's temporary table, and for the facts a writing run keeps (the keys of its
// rejected rows, and the reference rows its source holds as already loaded), which grow
// with the rejected rows and the reference data it reads, not with the rows it loads.
// Values are compared exactly (map keys). A fact is held packed: its entity, index and
// value as one string, its file and line as one number, and its row's values apart,
// when it has some: about 60 bytes for a rejected key instead of 200 as a store.Fact
// (1.6 million parents with 4 % defects kept 16 MB of them).
type localMemory struct {
	at     map[string]uint64   // packedKey -> the number of its file << 40 | its line
	values map[string][]string // packedKey -> its row's values, for a fact that has them
	files  []string            // file names, by number
	fileNo map[string]uint64
}

// LocalMemory returns a Memory held in the process.
func LocalMemory() Memory {
	return &localMemory{at: map[string]uint64{}, values: map[string][]string{}, fileNo: map[string]uint64{}}
}

// packedKey joins a fact's entity, index and value: names hold no unit separator, and
// the value comes last, so two facts share a packed key only when all three are equal.
func packedKey(entity, index, value string) string { return entity + "\x1f" + index + "\x1f" + value }

func (m *localMemory) Keep(_ context.Context, facts []store.Fact) error {
	for _, f := range facts {
		k := packedKey(f.Entity, f.Index, f.Value)
		if _, ok := m.at[k]; ok && f.Index != "key" && f.Index != "rejected" {
			continue
		}
		n, ok := m.fileNo[f.File]
		if !ok {
			n = uint64(len(m.files))
			m.files = append(m.files, f.File)
			m.fileNo[f.File] = n
		}
		m.at[k] = n<<40 | uint64(f.Line)
		if f.Values != nil {
			m.values[k] = f.Values
		} else {
			delete(m.values, k)
		}
	}
	return nil
}

func (m *localMemory) Recall(_ context.Context, entity, index string, values []string, fn func(store.Fact) error) error {
	for _, v := range values {
		k := packedKey(entity, index, v)
		if at, ok := m.at[k]; ok {
			f := store.Fact{Entity: entity, Index: index, Value: v, File: m.files[at>>40], Line: int(at & (1<<40 - 1)), Values: m.values[k]}
			if err := fn(f); err != nil {
				return err
			}
		}
	}
	return nil
}

// bloom is a Bloom filter of the values of rows a run accepted: may is false only for a
// value never added (a look-up is saved), true for one added or, rarely, another (a
// look-up is made, and its answer compared). Its size is fixed: past its capacity it
// answers true more often, never wrongly false. A value's 4 bits lie in one block of
// 512 bits (a cache line: one memory access per value, not 4); 2^25 bits (4 MiB) keep
// false positives near 0.03 % for a million values.
type bloom struct{ bits []uint64 }

const (
	bloomBits  = 1 << 25
	bloomBlock = 512
)

func newBloom() *bloom { return &bloom{bits: make([]uint64, bloomBits/64)} }

// probes gives the filter's 4 bit positions of a value of an index: a block chosen by
// the low 16 bits of its hash, 4 bits of the block by the next 36.
func (b *bloom) probes(index, v string) [4]uint64 {
	h := hashOf(v) + hashOf(index)*0x9e3779b97f4a7c15
	block := h % (bloomBits / bloomBlock) * bloomBlock
	var p [4]uint64
	for i := range p {
		p[i] = block + h>>(16+9*i)%bloomBlock
	}
	return p
}

func (b *bloom) add(index, v string) {
	for _, p := range b.probes(index, v) {
		b.bits[p/64] |= 1 << (p % 64)
	}
}

func (b *bloom) may(index, v string) bool {
	if b == nil {
		return true
	}
	for _, p := range b.probes(index, v) {
		if b.bits[p/64]&(1<<(p%64)) == 0 {
			return false
		}
	}
	return true
}
