package hatest

import (
	"errors"
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

// TestSpreadOf: medians, best and worst over the measured runs; a failed
// measurement and an unpinned run's takeover time are left out.
func TestSpreadOf(t *testing.T) {
	run := func(gap, announced time.Duration, failed int) *outcome {
		return &outcome{load: loadResult{Requests: 500, Failed: failed, MaxGap: gap}, announced: announced, answered: gap / 100}
	}
	bad := run(time.Hour, time.Hour, 500)
	bad.err = errors.New("client not ready")
	dup := run(3600*time.Millisecond, 0, 130)
	dup.vip.Both = 10 * time.Millisecond
	s := spreadOf([]*outcome{
		run(3500*time.Millisecond, 3620*time.Millisecond, 125),
		bad,
		run(3540*time.Millisecond, 3610*time.Millisecond, 126),
		dup,
		run(3520*time.Millisecond, 3630*time.Millisecond, 124),
	})
	want := spread{runs: 4, gap: 3530 * time.Millisecond, best: 3500 * time.Millisecond, worst: 3600 * time.Millisecond,
		announced: 3620 * time.Millisecond, answered: 35300 * time.Microsecond, failed: 126, duplicate: 1}
	if s != want {
		t.Errorf("spread %+v, want %+v", s, want)
	}
	if s := spreadOf(nil); s != (spread{}) {
		t.Errorf("no runs: %+v", s)
	}
}
