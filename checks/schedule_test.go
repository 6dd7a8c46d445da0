package checks

import (
	"math/rand/v2"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestNextInterval(t *testing.T) {
	s := &Spec{Interval: 2 * time.Second, FastInterval: 500 * time.Millisecond, DownInterval: 10 * time.Second}
	cases := []struct {
		h    health
		want time.Duration
	}{
		{health{state: StateUp}, 2 * time.Second},
		{health{state: StateUp, streak: 1}, 500 * time.Millisecond},
		{health{state: StateDown}, 10 * time.Second},
		{health{state: StateDown, streak: 2}, 500 * time.Millisecond},
	}
	for _, tc := range cases {
		if got := nextInterval(s, tc.h); got != tc.want {
			t.Errorf("%+v: got %v, want %v", tc.h, got, tc.want)
		}
	}
}

func TestNextDue(t *testing.T) {
	d := time.Second
	if got := nextDue(t0, t0.Add(30*time.Millisecond), d); !got.Equal(t0.Add(d)) {
		t.Errorf("quick check: got %v, want one interval after the scheduled time", got.Sub(t0))
	}
	late := t0.Add(1500 * time.Millisecond)
	if got := nextDue(t0, late, d); !got.Equal(late) {
		t.Errorf("check longer than the interval: got %v, want now (%v)", got.Sub(t0), late.Sub(t0))
	}
}

func TestJitterBounds(t *testing.T) {
	d := 10 * time.Second
	lo, hi := d, d
	for r := 0.0; r < 1; r += 0.01 {
		j := jittered(d, 0.2, r)
		lo, hi = min(lo, j), max(hi, j)
	}
	if lo < 9*time.Second || hi > 11*time.Second || hi-lo < 1900*time.Millisecond {
		t.Fatalf("±10%% jitter of 10s spans [%v, %v], want about [9s, 11s]", lo, hi)
	}
}

// TestFirstDueSpread starts 10,000 checks at once: their first runs must be
// spread over the interval, no slice of it holding many more than its share.
func TestFirstDueSpread(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n, slots = 10000, 10
	interval := time.Second
	var count [slots]int
	for range n {
		due := firstDue(t0, interval, rng.Float64())
		off := due.Sub(t0)
		if off < 0 || off >= interval {
			t.Fatalf("first run at +%v, outside [0, %v)", off, interval)
		}
		count[int(off*slots/interval)]++
	}
	for i, c := range count {
		if c > 2*n/slots || c < n/slots/2 {
			t.Errorf("slot %d of the interval holds %d of %d first runs: %v", i, c, n, count)
		}
	}
}

func TestTimerHeap(t *testing.T) {
	var h timerHeap
	offsets := []int{5, 1, 4, 2, 3, 9, 0}
	ents := make([]*entry, len(offsets))
	for i, o := range offsets {
		ents[i] = &entry{due: t0.Add(time.Duration(o) * time.Second).UnixNano(), index: -1}
		h.schedule(ents[i])
	}
	h.remove(ents[5]) // the 9s one
	h.remove(ents[5]) // removing twice is harmless
	if e := h.popDue(t0.Add(-time.Second)); e != nil {
		t.Fatalf("popped %v before anything was due", time.Unix(0, e.due))
	}
	var got []int
	for e := h.popDue(t0.Add(time.Hour)); e != nil; e = h.popDue(t0.Add(time.Hour)) {
		got = append(got, int(time.Unix(0, e.due).Sub(t0)/time.Second))
		if e.index != -1 {
			t.Fatalf("popped entry keeps heap index %d", e.index)
		}
	}
	want := []int{0, 1, 2, 3, 4, 5}
	if len(got) != len(want) {
		t.Fatalf("popped %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("popped %v, want %v", got, want)
		}
	}
}

func TestCoalescer(t *testing.T) {
	c := coalescer{window: 100 * time.Millisecond}
	if next := c.tick(t0); !next.IsZero() {
		t.Fatalf("idle coalescer asks to tick at %v", next)
	}
	c.add(Event{State: StateUp}, t0)
	c.add(Event{State: StateDown}, t0.Add(50*time.Millisecond))
	if next := c.tick(t0.Add(60 * time.Millisecond)); !next.Equal(t0.Add(100 * time.Millisecond)) {
		t.Fatalf("within the window: tick at %v, want the window's end", next)
	}
	if len(c.take()) != 0 {
		t.Fatal("batch ready before its window ended")
	}
	c.tick(t0.Add(100 * time.Millisecond))
	// The consumer is slow: a second window's events merge into the batch.
	c.add(Event{State: StateUp}, t0.Add(150*time.Millisecond))
	c.tick(t0.Add(300 * time.Millisecond))
	b := c.take()
	if len(b) != 3 {
		t.Fatalf("got a batch of %d events, want 3", len(b))
	}
	for i, ev := range b {
		if ev.Seq != uint64(i+1) {
			t.Fatalf("event %d has seq %d, want %d (in order)", i, ev.Seq, i+1)
		}
	}
}

func TestHistogramQuantile(t *testing.T) {
	var h histogram
	for range 990 {
		h.add(100 * time.Microsecond)
	}
	for range 10 {
		h.add(50 * time.Millisecond)
	}
	if q := h.quantile(0.99); q != 128*time.Microsecond {
		t.Errorf("p99 of 990×100µs + 10×50ms: got %v, want 128µs", q)
	}
	if q := h.quantile(1); q < 50*time.Millisecond {
		t.Errorf("max: got %v, want ≥ 50ms", q)
	}
}
