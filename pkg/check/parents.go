package check

import (
	"encoding/binary"
	"strings"
)

// parentBytes bounds the memory of the stored parents the entities' states keep for
// their children, all entities together, between chunks (children of one parent come
// in many chunks): their slots, their packed values and the words they share. A bound
// in bytes, not in parents, keeps a run's memory flat whatever its parents hold: 8 MiB
// keep about 300,000 projects (a million affectations refer to 250,000: each is looked
// up once; any parent missed is looked up again, a statement the server pays for).
// One bound for all: a run loading five million affectations' parents kept 12 MiB of
// clients for the projects and 12 MiB of projects for the affectations, and its live
// heap passed four fifths of the soft limit (see cli.limitMemory): 126-133 MB.
const parentBytes = 8 << 20

// slotBytes is what a slot costs besides its parent's packed values: its place in
// the buffer and its tag.
const slotBytes = 8 + 4

// parents keeps stored rows children referred to, up to parentBytes of them, each
// packed: its key after its length, then the values of its entity's refCols, each as a
// code (see words.pack): a project's key, dates and sites take about 12 bytes, where
// their text takes 45 (its lineage is left out, as no rule on a parent reads it). A
// parent has a place among the 32 of a set chosen by the hash of its key, and is found
// there by its key, compared exactly (a tag of the hash, beside each place, saves
// reading the others): a full set lets one go for the newcomer. The sets double, up to
// the bound, as parents come.
//
// The packed parents lie end to end in one buffer, and a slot holds where: the cache
// holds no pointer but the buffer's. Kept as a string each, the 250,000 projects of a
// million affectations were 44 % of the objects the collector marked at each of its
// 77 cycles, and the collector took a quarter of the program's CPU.
type parents struct {
	data  *strings.Builder // the packed parents; bytes written are never changed (nil: none)
	slots []uint64         // sets of parentWays slots: offset<<24 | length in data, 0 when free
	tags  []uint32         // the high half of the hash of each slot's key
	n     int              // slots used
	size  int              // bytes of the packed parents in the slots
	next  uint8            // the slot of a full set to give up next
	limit int              // a bound of slots, besides parentBytes (tests)
	words words            // the values parents share
	buf   []byte           // keep's scratch
	// others is what the other entities' caches may take (see charge), which the
	// bound leaves this one less of; nil: none (tests).
	others func() int
}

// maxPacked bounds a packed parent's length, which its slot holds in 24 bits: a longer
// parent is not kept (looked up again when a child refers to it).
const maxPacked = 1<<24 - 1

// parentWays: with sets of 8, a million affectations' 250,000 projects, held in
// 314,000 places, overflowed their sets and 300,000 look-ups were made (a simulation of
// uniform references); of 16, 265,000; of 32, 250,000: each project once.
const parentWays = 32

// get returns the parent whose key is v, as keep packed it (see values). The string
// shares the buffer's bytes, as strings.Builder's String does: it stays valid and
// unchanged whatever is kept after it.
func (p *parents) get(v string) (string, bool) {
	if p == nil || len(p.slots) == 0 {
		return "", false
	}
	set, tags, tag := p.set(v)
	data := p.text()
	for i, s := range set {
		if tags[i] != tag || s == 0 {
			continue
		}
		packed := slotText(data, s)
		if key, _ := unpack(packed); key == v {
			return packed, true
		}
	}
	return "", false
}

// slotText is the packed parent slot s places in data.
func slotText(data string, s uint64) string {
	off := int(s >> 24)
	return data[off : off+int(s&maxPacked)]
}

// set returns the slots of v's set, their tags and v's.
func (p *parents) set(v string) ([]uint64, []uint32, uint32) {
	h := hashOf(v)
	i := int(h%uint64(len(p.slots)/parentWays)) * parentWays
	return p.slots[i : i+parentWays], p.tags[i : i+parentWays], uint32(h >> 32)
}

// keep keeps the row en of st, children's parent by its key v.
func (p *parents) keep(st *entityState, v string, en *entry) {
	b := binary.AppendUvarint(p.buf[:0], uint64(len(v)))
	b = append(b, v...)
	for _, i := range st.refIdx {
		b = p.words.pack(b, v, en.vals[i])
	}
	p.buf = b
	if cap(b) > 1<<16 {
		p.buf = nil // a long parent's scratch is not kept
	}
	if len(b) > maxPacked {
		return
	}
	if p.n >= len(p.slots)*3/4 {
		if n := p.growTo(); n > len(p.slots) {
			p.grow(n)
		}
	}
	if len(p.slots) == 0 {
		return // the other entities' caches take the whole bound
	}
	p.reserve(len(b))
	off := p.data.Len()
	p.data.Write(b)
	p.put(v, uint64(off)<<24|uint64(len(b)))
}

// reserve makes room in the buffer for n more bytes. A buffer that is full is copied,
// the packed parents still in a slot only, into one a quarter larger than they and
// the newcomer: the bytes of parents let go are given back, and the buffer stays
// within a quarter of what its slots hold.
func (p *parents) reserve(n int) {
	if p.data != nil && p.data.Len()+n <= p.data.Cap() {
		return
	}
	old := p.text()
	data := new(strings.Builder)
	data.Grow((p.size+n)*5/4 + 4096) // a new Builder grows to exactly this
	for i, s := range p.slots {
		if s == 0 {
			continue
		}
		text := slotText(old, s)
		p.slots[i] = uint64(data.Len())<<24 | uint64(len(text))
		data.WriteString(text)
	}
	p.data = data
}

// text is the buffer's bytes.
func (p *parents) text() string {
	if p.data == nil {
		return ""
	}
	return p.data.String()
}

// bytes is the memory the cache takes: its slots, its buffer and its words.
func (p *parents) bytes() int {
	n := len(p.slots)*slotBytes + p.words.bytes
	if p.data != nil {
		n += p.data.Cap()
	}
	return n
}

// growTo is the number of slots the sets grow to when they are three quarters full:
// twice as many, else as many as the bound holds, when that is still an eighth more
// (sets are found by a modulo, so their number needn't be a power of two). Doubling
// alone stopped a million affectations' cache at 131,072 of its 250,000 projects when
// the bound held 180,000: every parent missed is a look-up the server pays for.
func (p *parents) growTo() int {
	if n := max(2*len(p.slots), 1024); p.roomFor(n) {
		return n
	}
	n := len(p.slots)
	for step := len(p.slots) / 2; step >= parentWays; step /= 2 {
		if p.roomFor(n + step) {
			n += step
		}
	}
	if n < len(p.slots)*9/8 {
		return len(p.slots)
	}
	return n / parentWays * parentWays
}

// roomFor reports whether slots slots stay within the bounds (see charge), beside what
// the other entities' caches may take.
func (p *parents) roomFor(slots int) bool {
	if p.limit > 0 && slots > p.limit {
		return false
	}
	others := 0
	if p.others != nil {
		others = p.others()
	}
	return p.chargeOf(slots)+others <= parentBytes
}

// charge is what the cache may come to take with its slots full.
func (p *parents) charge() int {
	if p == nil {
		return 0
	}
	return p.chargeOf(len(p.slots))
}

// chargeOf is what slots slots may come to take, each holding a parent of the size of
// those kept so far and two bytes more (keys lengthen as they come: ids 1 to 1,000,000),
// with the buffer's quarter of room (see reserve), and the words.
func (p *parents) chargeOf(slots int) int {
	avg := 0
	if p.n > 0 {
		avg = (p.size+p.n-1)/p.n + 2
	}
	return slots*(4*slotBytes+5*avg)/4 + 4096 + p.words.bytes
}

// put places slot, a packed parent whose key is key, in its set: in a free slot, else
// in the place of one.
func (p *parents) put(key string, slot uint64) {
	set, tags, tag := p.set(key)
	data := p.text()
	i := 0
	for ; i < len(set); i++ {
		if set[i] == 0 {
			p.n++
			break
		}
		if tags[i] != tag {
			continue
		}
		if k, _ := unpack(slotText(data, set[i])); k == key {
			break
		}
	}
	if i == len(set) {
		p.next = (p.next + 1) % parentWays
		i = int(p.next)
	}
	p.size += int(slot&maxPacked) - int(set[i]&maxPacked)
	set[i], tags[i] = slot, tag
}

// grow makes n slots (see growTo), placing the parents kept again.
func (p *parents) grow(n int) {
	old := p.slots
	data := p.text()
	p.slots, p.tags, p.n, p.size = make([]uint64, n), make([]uint32, n), 0, 0
	for _, s := range old {
		if s != 0 {
			key, _ := unpack(slotText(data, s))
			p.put(key, s)
		}
	}
}

// unpack splits a packed parent into its key and its values.
func unpack(s string) (key, rest string) {
	l, k := uvarint(s)
	return s[k : k+l], s[k+l:]
}

// uvarint reads the length at the start of s as binary.AppendUvarint wrote it, and the
// bytes it takes.
func uvarint(s string) (n, size int) {
	var x uint64
	for i := 0; i < len(s); i++ {
		b := s[i]
		x |= uint64(b&0x7f) << (7 * i)
		if b < 0x80 {
			return int(x), i + 1
		}
	}
	return 0, len(s)
}

// values gives back the values of a parent as keep packed them, into vals at the
// indexes idx (its entity's refIdx).
func (p *parents) values(packed string, vals []string, idx []int) {
	key, rest := unpack(packed)
	for _, i := range idx {
		vals[i], rest = p.words.unpack(key, rest)
	}
}

// words are the values parents share, each kept once: a project's dates (4,500 days
// for 250,000 projects) and its list of sites (92 lists). A packed parent holds the
// number of its word, one or two bytes, in place of the text. A value comes in while
// there is room and while most values that came are used again; a column of values
// all different (a name, an amount) stops new words after the first 1,024.
type words struct {
	index map[string]uint32
	list  []string
	used  int // values packed as a word already kept
	bytes int // what the words take: text, slice and map entry
}

const (
	maxWords     = 1 << 15
	wordOverhead = 16 + 48 // its place in list, its map entry
)

// pack appends v, a value of the parent whose key is key, as a code: 0 for the key
// itself, 2n+1 for word n, 2(len+1) followed by the text for a value kept whole.
func (w *words) pack(b []byte, key, v string) []byte {
	if v == key {
		return append(b, 0)
	}
	n, ok := w.index[v]
	switch {
	case ok:
		w.used++
	case len(w.list) < maxWords && (len(w.list) < 1024 || w.used >= len(w.list)):
		if w.index == nil {
			w.index = make(map[string]uint32)
		}
		n, v = uint32(len(w.list)), strings.Clone(v) // not the chunk's text it points into
		w.index[v] = n
		w.list = append(w.list, v)
		w.bytes += len(v) + wordOverhead
	default:
		b = binary.AppendUvarint(b, uint64(len(v)+1)<<1)
		return append(b, v...)
	}
	return binary.AppendUvarint(b, uint64(n)<<1|1)
}

// unpack reads the value at the start of rest, as pack wrote it, and what follows.
func (w *words) unpack(key, rest string) (v, after string) {
	c, k := uvarint(rest)
	rest = rest[k:]
	switch {
	case c == 0:
		return key, rest
	case c&1 == 1:
		return w.list[c>>1], rest
	default:
		l := c>>1 - 1
		return rest[:l], rest[l:]
	}
}
