package vrrp

import (
	"errors"
	"time"
)

// ErrTxtimeUnavailable is wrapped by the error a TimedSender gives when the
// kernel cannot release adverts at a set time on its interface.
var ErrTxtimeUnavailable = errors.New("kernel-timed adverts unavailable")

// TimedSender is implemented by Conns that can hand an advert to the kernel
// ahead of its departure time (SO_TXTIME), so that it leaves on time however
// late this process runs afterwards.
type TimedSender interface {
	// KernelTimed reports whether SendAt releases adverts on time: nil, or
	// an error wrapping ErrTxtimeUnavailable that says why not.
	KernelTimed() error
	// SendAt queues a to leave at at, a time on the time.Now line.
	SendAt(a Advert, at time.Time) error
}

// txtimeLead is how long before its deadline a Master queues a
// kernel-timed advert: it absorbs that much lateness of this process
// (scheduling, garbage collection) without moving the departure.
const txtimeLead = 20 * time.Millisecond

// txQueue keeps kernel-timed sends in order: an advert that must go now
// while another is still queued in the kernel leaves just after it, so a
// priority-0 advert is never overtaken by a regular one sent before it.
type txQueue struct {
	last time.Time // departure of the last advert queued; zero if none
}

// departure returns when an advert wanted at want (zero: now) leaves, and
// whether it must be queued rather than sent at once.
func (q *txQueue) departure(want, now time.Time) (time.Time, bool) {
	if want.IsZero() {
		want = now
	}
	if !q.last.IsZero() && !want.After(q.last) {
		want = q.last.Add(time.Microsecond)
	}
	return want, want.After(now)
}

// queued records a queued departure.
func (q *txQueue) queued(at time.Time) { q.last = at }

// pending returns how long until the last queued advert has left.
func (q *txQueue) pending(now time.Time) time.Duration {
	return max(q.last.Sub(now), 0)
}
