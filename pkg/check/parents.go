package check

import "encoding/binary"

// parentBytes bounds the memory of the stored parents an entity's state keeps for its
// children, between chunks (children of one parent come in many chunks): their slots
// and their packed values. A bound in bytes, not in parents, keeps a run's memory flat
// whatever its parents hold: 12 MiB keep 170,000 projects of two sites (a million
// affectations refer to 250,000: two thirds are found here, the others looked up, as
// any parent missed is).
const parentBytes = 12 << 20

// slotBytes is what a slot costs besides its parent's packed values: the string's
// header and the tag.
const slotBytes = 16 + 4

// parents keeps stored rows children referred to, up to parentBytes of them, each as
// one string: its key and the values of its entity's refCols, each after its length
// (about 64 bytes for a project's key, dates and sites; its lineage is left out, as
// no rule on a parent reads it). A parent has a place among the 8 of a set chosen by
// the hash of its key, and is found there by its key, compared exactly (a tag of the
// hash, beside each place, saves reading the others): a full set lets one go for the
// newcomer. The sets double, up to the bound, as parents come.
type parents struct {
	slots []string // sets of parentWays slots, "" when free
	tags  []uint32 // the high half of the hash of each slot's key
	n     int      // slots used
	size  int      // bytes of the packed parents in the slots
	next  uint8    // the slot of a full set to give up next
	limit int      // a bound of slots, besides parentBytes (tests)
}

const parentWays = 8

// get returns the values of the parent whose key is v, as keep packed them.
func (p *parents) get(v string) (string, bool) {
	if p == nil || len(p.slots) == 0 {
		return "", false
	}
	set, tags, tag := p.set(v)
	for i, s := range set {
		if tags[i] != tag || s == "" {
			continue
		}
		if key, rest := unpack(s); key == v {
			return rest, true
		}
	}
	return "", false
}

// set returns the slots of v's set, their tags and v's.
func (p *parents) set(v string) ([]string, []uint32, uint32) {
	h := hashOf(v)
	i := int(h%uint64(len(p.slots)/parentWays)) * parentWays
	return p.slots[i : i+parentWays], p.tags[i : i+parentWays], uint32(h >> 32)
}

// keep keeps the row en of st, children's parent by its key v.
func (p *parents) keep(st *entityState, v string, en *entry) {
	n := binary.MaxVarintLen64 + len(v)
	for _, i := range st.refIdx {
		n += binary.MaxVarintLen64 + len(en.vals[i])
	}
	b := make([]byte, 0, n)
	b = binary.AppendUvarint(b, uint64(len(v)))
	b = append(b, v...)
	for _, i := range st.refIdx {
		b = binary.AppendUvarint(b, uint64(len(en.vals[i])))
		b = append(b, en.vals[i]...)
	}
	if p.n >= len(p.slots)*3/4 {
		if n := p.growTo(); n > len(p.slots) {
			p.grow(n)
		}
	}
	p.put(string(b))
}

// growTo is the number of slots the sets grow to when they are three quarters full:
// twice as many, else as many as the bound holds, when that is still a quarter more
// (sets are found by a modulo, so their number needn't be a power of two). Doubling
// alone stopped a million affectations' cache at 131,072 of its 250,000 projects when
// the bound held 180,000: every parent missed is a look-up the server pays for.
func (p *parents) growTo() int {
	if p.roomFor(2 * len(p.slots)) {
		return max(2*len(p.slots), 1024)
	}
	n := len(p.slots)
	for step := len(p.slots) / 2; step >= parentWays; step /= 2 {
		if p.roomFor(n + step) {
			n += step
		}
	}
	if n < len(p.slots)*5/4 {
		return len(p.slots)
	}
	return n / parentWays * parentWays
}

// roomFor reports whether slots slots, holding parents of the size of those kept so
// far (rounded up as the allocator does, about), stay within the bounds.
func (p *parents) roomFor(slots int) bool {
	if p.limit > 0 && slots > p.limit {
		return false
	}
	avg := 0
	if p.n > 0 {
		avg = p.size/p.n + 8
	}
	return slots*(slotBytes+avg) <= parentBytes
}

// put places a packed parent in its set: in a free slot, else in the place of one.
func (p *parents) put(s string) {
	key, _ := unpack(s)
	set, tags, tag := p.set(key)
	i := 0
	for ; i < len(set); i++ {
		if set[i] == "" {
			p.n++
			break
		}
		if tags[i] != tag {
			continue
		}
		if k, _ := unpack(set[i]); k == key {
			break
		}
	}
	if i == len(set) {
		p.next = (p.next + 1) % parentWays
		i = int(p.next)
	}
	p.size += len(s) - len(set[i])
	set[i], tags[i] = s, tag
}

// grow makes n slots (see growTo), placing the parents kept again.
func (p *parents) grow(n int) {
	old := p.slots
	p.slots, p.tags, p.n, p.size = make([]string, n), make([]uint32, n), 0, 0
	for _, s := range old {
		if s != "" {
			p.put(s)
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
