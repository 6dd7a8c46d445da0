package checks

import (
	"hash/maphash"
	"iter"
)

// entryIndex finds entries by Key. It maps a 64-bit hash of the key to the
// entries with that hash (chained through entry.next): the 72-byte Key is
// kept once, in its entry, instead of again in every map slot, which
// saves about 70 bytes per target (7 MB at 100,000 targets).
type entryIndex struct {
	seed maphash.Seed
	mask uint64 // all ones; tests narrow it to force hash collisions
	m    map[uint64]*entry
	n    int
}

func newEntryIndex() entryIndex {
	return entryIndex{seed: maphash.MakeSeed(), mask: ^uint64(0), m: make(map[uint64]*entry)}
}

func (x *entryIndex) hash(k Key) uint64 { return maphash.Comparable(x.seed, k) & x.mask }

// get returns the entry with key k, or nil.
func (x *entryIndex) get(k Key) *entry {
	for ent := x.m[x.hash(k)]; ent != nil; ent = ent.next {
		if ent.key == k {
			return ent
		}
	}
	return nil
}

// put adds ent, whose key is not in the index yet.
func (x *entryIndex) put(ent *entry) {
	h := x.hash(ent.key)
	ent.next = x.m[h]
	x.m[h] = ent
	x.n++
}

// del removes ent if it is in the index.
func (x *entryIndex) del(ent *entry) {
	h := x.hash(ent.key)
	for p, cur := (*entry)(nil), x.m[h]; cur != nil; p, cur = cur, cur.next {
		if cur != ent {
			continue
		}
		switch {
		case p != nil:
			p.next = cur.next
		case cur.next != nil:
			x.m[h] = cur.next
		default:
			delete(x.m, h)
		}
		ent.next = nil
		x.n--
		return
	}
}

// len returns the number of entries.
func (x *entryIndex) len() int { return x.n }

// all yields every entry; the index must not change meanwhile.
func (x *entryIndex) all() iter.Seq[*entry] {
	return func(yield func(*entry) bool) {
		for _, head := range x.m {
			for ent := head; ent != nil; ent = ent.next {
				if !yield(ent) {
					return
				}
			}
		}
	}
}
