package checks

import (
	"net/netip"
	"testing"
)

// TestEntryIndex adds, finds and removes entries, with every key in one of
// four hash chains so the collision paths (head, middle, last) all run.
func TestEntryIndex(t *testing.T) {
	for _, mask := range []uint64{^uint64(0), 3} {
		x := newEntryIndex()
		x.mask = mask
		ents := make([]*entry, 200)
		for i := range ents {
			k := Key{Target: Target{Address: netip.AddrFrom4([4]byte{192, 0, 2, byte(i)}), Port: 80}}
			ents[i] = &entry{key: k}
			x.put(ents[i])
		}
		for i, ent := range ents {
			if i%3 == 0 {
				x.del(ent)
			}
		}
		x.del(&entry{key: Key{Target: Target{Address: netip.MustParseAddr("198.51.100.1")}}}) // absent: no-op
		seen := 0
		for range x.all() {
			seen++
		}
		if want := 200 - 67; x.len() != want || seen != want {
			t.Fatalf("mask %x: len %d, iterated %d, want %d", mask, x.len(), seen, want)
		}
		for i, ent := range ents {
			got := x.get(ent.key)
			if (i%3 == 0) != (got == nil) || (got != nil && got != ent) {
				t.Fatalf("mask %x: get(%v) = %p, want %p (deleted: %v)", mask, ent.key, got, ent, i%3 == 0)
			}
		}
	}
}
