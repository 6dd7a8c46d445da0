package vrrp

import (
	"sync"
	"testing"
	"time"
)

// fakeClock is a Clock that moves only when the test fires its timer; every
// Reset of the node's timer reports the time it is due on armed.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	timer *fakeTimer
	armed chan time.Time
}

type fakeTimer struct {
	clock *fakeClock
	c     chan time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), armed: make(chan time.Time, 64)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) NewTimer(time.Duration) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.timer = &fakeTimer{clock: c, c: make(chan time.Time, 1)}
	return c.timer
}

func (t *fakeTimer) C() <-chan time.Time { return t.c }
func (t *fakeTimer) Reset(d time.Duration) {
	t.clock.armed <- t.clock.Now().Add(d)
}
func (t *fakeTimer) Stop() {}

// nextArmed returns when the node's timer is next due (bounded by 5 s).
func (c *fakeClock) nextArmed(t *testing.T) time.Time {
	t.Helper()
	select {
	case at := <-c.armed:
		return at
	case <-time.After(5 * time.Second):
		t.Fatal("the node armed no timer within 5s")
		return time.Time{}
	}
}

// fire sets the clock to at and fires the node's timer.
func (c *fakeClock) fire(at time.Time) {
	c.mu.Lock()
	c.now = at
	tm := c.timer
	c.mu.Unlock()
	tm.c <- at
}
