package vrrp

import (
	"fmt"
	"strings"
	"testing"
)

// leaseSim drives a lease on a fake clock the way the sender process
// does: every step due by the time the clock reaches is carried out.
type leaseSim struct {
	l   *lease
	now int64
	log []string // "send@T slot S" or "repeat@T slot S"
}

const msec = int64(1e6)

func newLeaseSim() *leaseSim { return &leaseSim{l: newLease()} }

func (s *leaseSim) advance(to int64) {
	for {
		n := s.l.next()
		if n.Step == stepIdle || n.At > to {
			break
		}
		s.now = max(s.now, n.At)
		switch n.Step {
		case stepSend:
			s.log = append(s.log, fmt.Sprintf("send@%d slot %d", s.now/msec, n.Item.slot))
		case stepRepeat:
			s.log = append(s.log, fmt.Sprintf("repeat@%d slot %d", s.now/msec, n.Item.slot))
		case stepExpire:
			s.log = append(s.log, fmt.Sprintf("expire@%d", s.now/msec))
		}
		s.l.done(n)
	}
	s.now = to
}

// hand hands an advert at the current time in a free slot (due 0: at once).
func (s *leaseSim) hand(t *testing.T, due int64, final bool) leaseVerdict {
	t.Helper()
	return s.l.hand(s.l.free(), due*msec, 100*msec, s.now, final)
}

func (s *leaseSim) want(t *testing.T, want ...string) {
	t.Helper()
	if got := strings.Join(s.log, ", "); got != strings.Join(want, ", ") {
		t.Fatalf("steps:\n got %s\nwant %s", got, strings.Join(want, ", "))
	}
}

// TestLeaseSendsOnTimeThenRepeatsThenExpires: a handed advert leaves at
// its due time; with nothing more handed it is repeated on its grid for
// leaseIntervals intervals, then the lease runs out, once.
func TestLeaseSendsOnTimeThenRepeatsThenExpires(t *testing.T) {
	s := newLeaseSim()
	s.advance(80 * msec)
	if v := s.hand(t, 100, false); v != handQueued {
		t.Fatalf("verdict %d", v)
	}
	s.advance(2000 * msec)
	s.want(t, "send@100 slot 0", "repeat@200 slot 0", "repeat@300 slot 0", "expire@400")
	if s.l.repeated != 2 || s.l.expired != 1 {
		t.Fatalf("repeated %d, expired %d; want 2 and 1", s.l.repeated, s.l.expired)
	}
}

// TestLeaseHandedAdvertReplacesRepeat: adverts handed on time leave at
// their due time and nothing is repeated.
func TestLeaseHandedAdvertReplacesRepeat(t *testing.T) {
	s := newLeaseSim()
	for due := int64(100); due <= 500; due += 100 {
		s.advance((due - 20) * msec)
		s.hand(t, due, false)
	}
	s.advance(550 * msec)
	s.want(t, "send@100 slot 0", "send@200 slot 1", "send@300 slot 0", "send@400 slot 1", "send@500 slot 0")
	if s.l.repeated != 0 {
		t.Fatalf("repeated %d", s.l.repeated)
	}
}

// TestLeaseLateAdvertForCoveredTimeDropped: an advert handed after its
// time was covered by a repeat is dropped, not sent twice; it renews
// the lease, and the next one on time goes as handed.
func TestLeaseLateAdvertForCoveredTimeDropped(t *testing.T) {
	s := newLeaseSim()
	s.advance(80 * msec)
	s.hand(t, 100, false)
	s.advance(226 * msec) // the node is 26 ms late with the advert due at 200
	if v := s.hand(t, 200, false); v != handCovered {
		t.Fatalf("late advert for a covered time: verdict %d, want handCovered", v)
	}
	s.advance(380 * msec)
	s.hand(t, 400, false)
	s.advance(650 * msec)
	s.want(t, "send@100 slot 0", "repeat@200 slot 0", "repeat@300 slot 0", "send@400 slot 1", "repeat@500 slot 1", "repeat@600 slot 1")
	if s.l.covered != 1 {
		t.Fatalf("covered %d, want 1", s.l.covered)
	}
}

// TestLeaseLateAdvertNotCoveredGoesAtOnce: an advert handed after its
// time that no repeat covered (the first one) leaves at once.
func TestLeaseLateAdvertNotCoveredGoesAtOnce(t *testing.T) {
	s := newLeaseSim()
	s.advance(130 * msec)
	s.hand(t, 100, false)
	s.advance(150 * msec)
	s.want(t, "send@130 slot 0")
}

// TestLeaseFinalEndsRepetition: a priority-0 advert drops the adverts
// waiting, leaves at once and is the last one sent.
func TestLeaseFinalEndsRepetition(t *testing.T) {
	s := newLeaseSim()
	s.advance(80 * msec)
	s.hand(t, 100, false)
	s.advance(180 * msec)
	s.hand(t, 200, false)
	s.advance(185 * msec)
	s.hand(t, 0, true)
	s.advance(2000 * msec)
	s.want(t, "send@100 slot 0", "send@185 slot 2")
}

// TestLeaseCancelStopsRepeating: after cancel nothing more is sent, and
// the next mastership starts a fresh grid.
func TestLeaseCancelStopsRepeating(t *testing.T) {
	s := newLeaseSim()
	s.advance(80 * msec)
	s.hand(t, 100, false)
	s.advance(150 * msec)
	s.l.cancel()
	s.advance(1000 * msec)
	s.hand(t, 0, false) // the first advert of a new mastership
	s.advance(1100 * msec)
	s.want(t, "send@100 slot 0", "send@1000 slot 0", "repeat@1100 slot 0")
}

// TestLeaseImmediateAdvertKeepsGrid: an advert sent at once while
// repeating (a Master answering a priority-0 advert) is not dropped and
// does not move the grid the node's adverts are on.
func TestLeaseImmediateAdvertKeepsGrid(t *testing.T) {
	s := newLeaseSim()
	s.advance(80 * msec)
	s.hand(t, 100, false)
	s.advance(150 * msec)
	if v := s.hand(t, 0, false); v != handQueued {
		t.Fatalf("immediate advert: verdict %d", v)
	}
	s.advance(180 * msec)
	if v := s.hand(t, 200, false); v != handQueued {
		t.Fatalf("advert on the grid after an immediate one: verdict %d", v)
	}
	s.advance(250 * msec)
	s.want(t, "send@100 slot 0", "send@150 slot 1", "send@200 slot 0")
}

// TestLeaseSlots: free never gives a slot that waits or is repeated, and
// a full lease drops with handBusy.
func TestLeaseSlots(t *testing.T) {
	l := newLease()
	for i := range leaseSlots {
		slot := l.free()
		if slot < 0 {
			t.Fatalf("no free slot after %d", i)
		}
		if v := l.hand(slot, int64(i+1)*100*msec, 100*msec, 0, false); v != handQueued {
			t.Fatalf("advert %d: verdict %d", i, v)
		}
	}
	if s := l.free(); s != -1 {
		t.Fatalf("free slot %d with every slot waiting", s)
	}
	if v := l.hand(-1, 10000*msec, 100*msec, 0, false); v != handBusy || l.busy != 1 {
		t.Fatalf("full lease: verdict %d, busy %d", v, l.busy)
	}
	n := l.next()
	l.done(n) // sent, and now the one repeated: still in use
	if s := l.free(); s != -1 {
		t.Fatalf("free slot %d: the sent advert is the one repeated", s)
	}
	l.done(l.next())
	if s := l.free(); s != n.Item.slot {
		t.Fatalf("free slot %d, want %d (no longer repeated)", s, n.Item.slot)
	}
}
