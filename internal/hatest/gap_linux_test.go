package hatest

import (
	"testing"
	"time"
)

// TestLongestGap: the longest time without an answer, when it began and
// the request that ended it; the window's end can end it too, and an
// answer read before the previous one does not shorten a gap.
func TestLongestGap(t *testing.T) {
	t0 := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	oks := []okRequest{
		{Target: "a", Started: at(0), Done: at(10)},
		{Target: "b", Started: at(20), Done: at(30)},
		{Target: "a", Started: at(1000), Done: at(1500)}, // a retried SYN
		{Target: "b", Started: at(1480), Done: at(1510)},
	}
	gap, from, end := longestGap(oks, t0, at(2000))
	if gap != 1470*time.Millisecond || !from.Equal(at(30)) || end != oks[2] {
		t.Errorf("gap %v from %v ended by %+v", gap, from.Sub(t0), end)
	}
	gap, from, end = longestGap(oks[:2], t0, at(2000))
	if gap != 1970*time.Millisecond || !from.Equal(at(30)) || end != (okRequest{}) {
		t.Errorf("to the window's end: gap %v from %v ended by %+v", gap, from.Sub(t0), end)
	}
	gap, _, end = longestGap(nil, t0, at(50))
	if gap != 50*time.Millisecond || end != (okRequest{}) {
		t.Errorf("no answer: gap %v ended by %+v", gap, end)
	}
}
