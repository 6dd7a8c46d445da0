package vrrp

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"testing"
	"time"
)

func TestTxQueueDeparture(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var q txQueue
	if at, later := q.departure(time.Time{}, now); !at.Equal(now) || later {
		t.Fatalf("empty queue, now: %v later=%v, want now and not later", at, later)
	}
	due := now.Add(txtimeLead)
	at, later := q.departure(due, now)
	if !at.Equal(due) || !later {
		t.Fatalf("advert due in 20ms: %v later=%v, want %v and later", at, later, due)
	}
	q.queued(at)
	if got := q.pending(now); got != txtimeLead {
		t.Fatalf("pending %v, want %v", got, txtimeLead)
	}
	// An advert that must go now while one is queued follows it.
	if at, later := q.departure(time.Time{}, now); !at.Equal(due.Add(time.Microsecond)) || !later {
		t.Fatalf("send now behind a queued advert: %v later=%v, want %v", at, later, due.Add(time.Microsecond))
	}
	// Once the queued one has left, sends are immediate again.
	after := due.Add(time.Millisecond)
	if at, later := q.departure(time.Time{}, after); !at.Equal(after) || later || q.pending(after) != 0 {
		t.Fatalf("after the queued advert left: %v later=%v pending %v", at, later, q.pending(after))
	}
}

// sent is one advert a timedConn was given: at is zero for an immediate send.
type sent struct {
	prio uint8
	at   time.Time
}

// timedConn records sends; its Receive blocks until Close.
type timedConn struct {
	mu       sync.Mutex
	sends    []sent
	unusable error // what KernelTimed reports
	failAt   bool  // SendAt fails
	closed   chan struct{}
	once     sync.Once
}

func newTimedConn() *timedConn { return &timedConn{closed: make(chan struct{})} }

func (c *timedConn) record(s sent) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sends = append(c.sends, s)
}

func (c *timedConn) Send(a Advert) error { c.record(sent{prio: a.Priority}); return nil }
func (c *timedConn) SendAt(a Advert, at time.Time) error {
	if c.failAt {
		return errors.New("sendmsg: invalid argument")
	}
	c.record(sent{prio: a.Priority, at: at})
	return nil
}
func (c *timedConn) KernelTimed() error { return c.unusable }
func (c *timedConn) Receive() (Packet, error) {
	<-c.closed
	return Packet{}, errors.New("closed")
}
func (c *timedConn) Primary() netip.Addr { return netip.MustParseAddr("192.0.2.11") }
func (c *timedConn) Close() error        { c.once.Do(func() { close(c.closed) }); return nil }

func (c *timedConn) log() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return fmt.Sprint(c.sends)
}

// wantSends fails t unless conn was given exactly want, in order.
func wantSends(t *testing.T, conn *timedConn, want ...sent) {
	t.Helper()
	if got := conn.log(); got != fmt.Sprint(want) {
		t.Fatalf("sends:\n got %s\nwant %v", got, want)
	}
}

// runTimed starts a node with kernel-timed adverts on a fake clock at
// priority prio (255: Master at once); the returned stop shuts it down and
// waits.
func runTimed(t *testing.T, conn *timedConn, prio uint8) (*Node, *fakeClock, func()) {
	t.Helper()
	cfg := testConfig(prio)
	cfg.KernelTimedAdverts = true
	clk := newFakeClock()
	n, err := NewNode(cfg, conn, clk, nil)
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- n.Run(context.Background()) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			n.Shutdown()
			if err := <-errc; err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return n, clk, stop
}

func TestKernelTimedQueuesAheadAndShutdownFollows(t *testing.T) {
	conn := newTimedConn()
	n, clk, stop := runTimed(t, conn, 255)
	t0 := clk.Now()
	iv := 100 * time.Millisecond
	// Master at once: the first advert goes immediately, the timer is armed
	// txtimeLead before the next deadline.
	if due := clk.nextArmed(t); !due.Equal(t0.Add(iv - txtimeLead)) {
		t.Fatalf("timer armed for %v, want deadline-%v = %v", due.Sub(t0), txtimeLead, iv-txtimeLead)
	}
	clk.fire(t0.Add(iv - txtimeLead))
	if due := clk.nextArmed(t); !due.Equal(t0.Add(2*iv - txtimeLead)) {
		t.Fatalf("second timer armed for %v, want %v", due.Sub(t0), 2*iv-txtimeLead)
	}
	stop()
	wantSends(t, conn, sent{prio: 255}, sent{prio: 255, at: t0.Add(iv)},
		sent{prio: 0, at: t0.Add(iv + time.Microsecond)}) // behind the queued one
	if s := n.Stats(); s.TimedSent != 2 || s.Sent != 3 {
		t.Fatalf("stats: timed %d sent %d, want 2 and 3", s.TimedSent, s.Sent)
	}
}

func TestKernelTimedLateTimerSendsAtOnce(t *testing.T) {
	conn := newTimedConn()
	_, clk, stop := runTimed(t, conn, 255)
	t0 := clk.Now()
	clk.nextArmed(t)
	// The process woke up after the deadline: nothing to queue ahead.
	clk.fire(t0.Add(105 * time.Millisecond))
	clk.nextArmed(t)
	stop()
	wantSends(t, conn, sent{prio: 255}, sent{prio: 255}, sent{prio: 0})
}

func TestKernelTimedUnavailableFallsBack(t *testing.T) {
	conn := newTimedConn()
	conn.unusable = fmt.Errorf("%w on mem0: root qdisc is noqueue", ErrTxtimeUnavailable)
	n, clk, stop := runTimed(t, conn, 255)
	t0 := clk.Now()
	if due := clk.nextArmed(t); !due.Equal(t0.Add(100*time.Millisecond - spinMargin)) {
		t.Fatalf("timer armed for %v, want deadline-%v", due.Sub(t0), spinMargin)
	}
	clk.fire(t0.Add(100 * time.Millisecond))
	clk.nextArmed(t)
	stop()
	wantSends(t, conn, sent{prio: 255}, sent{prio: 255}, sent{prio: 0})
	if n.Stats().TimedSent != 0 {
		t.Fatalf("%d adverts kernel-timed, want none", n.Stats().TimedSent)
	}
}

func TestKernelTimedSendErrorFallsBack(t *testing.T) {
	conn := newTimedConn()
	conn.failAt = true
	n, clk, stop := runTimed(t, conn, 255)
	t0 := clk.Now()
	clk.nextArmed(t)
	clk.fire(t0.Add(100*time.Millisecond - txtimeLead))
	// After the failure the node times adverts itself.
	if due := clk.nextArmed(t); !due.Equal(t0.Add(200*time.Millisecond - spinMargin)) {
		t.Fatalf("timer after a failed timed send armed for %v, want %v", due.Sub(t0), 200*time.Millisecond-spinMargin)
	}
	stop()
	wantSends(t, conn, sent{prio: 255}, sent{prio: 255}, sent{prio: 0})
	if s := n.Stats(); s.TimedSent != 0 || s.SendErrors != 0 {
		t.Fatalf("stats: timed %d errors %d, want 0 and 0 (the advert went untimed)", s.TimedSent, s.SendErrors)
	}
}

func TestKernelTimedBackupIsNotQueued(t *testing.T) {
	conn := newTimedConn()
	n, clk, _ := runTimed(t, conn, 100)
	t0 := clk.Now()
	// Master_Down_Interval at priority 100: 300ms + 156/256 * 100ms.
	mdi := 300*time.Millisecond + 156*100*time.Millisecond/256
	if due := clk.nextArmed(t); !due.Equal(t0.Add(mdi - spinMargin)) {
		t.Fatalf("backup timer armed for %v, want Master_Down_Interval-%v = %v", due.Sub(t0), spinMargin, mdi-spinMargin)
	}
	clk.fire(t0.Add(mdi))
	clk.nextArmed(t)
	if got, want := conn.log(), fmt.Sprint([]sent{{prio: 100}}); got != want || n.State() != Master {
		t.Fatalf("after Master_Down: sends %s state %v, want %s and master", got, n.State(), want)
	}
}
