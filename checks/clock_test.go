package checks

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// testClock is the system clock moved forward by advance, which also fires
// every timer made from it so that the Run loop looks at the new time.
type testClock struct {
	offset atomic.Int64
	mu     sync.Mutex
	timers []*testTimer
}

func (c *testClock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

func (c *testClock) NewTimer(d time.Duration) timer {
	t := &testTimer{c: make(chan time.Time, 1)}
	t.t = time.AfterFunc(d, t.fire)
	c.mu.Lock()
	c.timers = append(c.timers, t)
	c.mu.Unlock()
	return t
}

// advance moves the clock forward by d and wakes the timers.
func (c *testClock) advance(d time.Duration) {
	c.offset.Add(int64(d))
	c.mu.Lock()
	ts := slices.Clone(c.timers)
	c.mu.Unlock()
	for _, t := range ts {
		t.fire()
	}
}

type testTimer struct {
	t *time.Timer
	c chan time.Time
}

func (t *testTimer) fire() {
	select {
	case t.c <- time.Now():
	default:
	}
}

func (t *testTimer) C() <-chan time.Time   { return t.c }
func (t *testTimer) Reset(d time.Duration) { t.t.Reset(d) }
func (t *testTimer) Stop()                 { t.t.Stop() }

// zeroSource makes every random draw 0: a new check is first due when it is
// added (not somewhere in its first interval), and each interval is its
// shortest jittered value.
type zeroSource struct{}

func (zeroSource) Uint64() uint64 { return 0 }

// atOnce returns opts for an engine whose new checks are due at once and
// whose clock the test moves forward.
func atOnce(opts Options) (Options, *testClock) {
	c := &testClock{}
	opts.clock, opts.random = c, zeroSource{}
	return opts, c
}
