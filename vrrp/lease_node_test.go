package vrrp

import (
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// leaseConn is a timedConn that starts a fake advert sender process.
type leaseConn struct {
	*timedConn
	fake *fakeLeaseSender
}

func (c *leaseConn) startAdvertSender(int, *slog.Logger) (timingThread, error) { return c.fake, nil }

// fakeLeaseSender records what the node hands the sender process.
type fakeLeaseSender struct {
	mu  sync.Mutex
	t0  time.Time
	log []string
}

func (f *fakeLeaseSender) add(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = append(f.log, s)
}

func (f *fakeLeaseSender) KernelTimed() error { return nil }
func (f *fakeLeaseSender) SendAt(a Advert, at time.Time) error {
	f.add(fmt.Sprintf("at +%v prio %d", at.Sub(f.t0), a.Priority))
	return nil
}
func (f *fakeLeaseSender) SendNow(a Advert) error {
	f.add(fmt.Sprintf("now prio %d", a.Priority))
	return nil
}
func (f *fakeLeaseSender) Cancel()                  { f.add("cancel") }
func (f *fakeLeaseSender) threadStats() threadStats { return threadStats{} }

// runLeaseNode runs an owner (priority 255) node whose adverts go to a
// fake sender process on a fake clock.
func runLeaseNode(t *testing.T) (*fakeLeaseSender, *leaseConn, *fakeClock, *Node, chan error) {
	t.Helper()
	fake := &fakeLeaseSender{}
	conn := &leaseConn{timedConn: newTimedConn(), fake: fake}
	cfg := testConfig(255)
	cfg.AdvertSender = TimingProcess
	clk := newFakeClock()
	fake.t0 = clk.Now()
	n, err := NewNode(cfg, conn, clk, nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- n.Run(t.Context()) }()
	return fake, conn, clk, n, done
}

// TestNodeHandsEveryAdvertToTheSenderProcess: with the sender process, a
// Master hands it every advert: the first at once, the periodic ones
// txtimeLead ahead, a late one with its missed deadline (the process
// decides whether a repeat covered it), and on shutdown it cancels the
// repetition before the priority-0 advert; nothing goes through Send.
func TestNodeHandsEveryAdvertToTheSenderProcess(t *testing.T) {
	fake, conn, clk, n, done := runLeaseNode(t)
	t0, iv := clk.Now(), 100*time.Millisecond
	if due := clk.nextArmed(t); !due.Equal(t0.Add(iv - txtimeLead)) {
		t.Fatalf("timer armed for +%v, want +%v", due.Sub(t0), iv-txtimeLead)
	}
	clk.fire(t0.Add(iv - txtimeLead))
	clk.nextArmed(t)
	clk.fire(t0.Add(2*iv + 5*time.Millisecond)) // 5 ms late
	clk.nextArmed(t)
	n.Shutdown()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	want := []string{"now prio 255", "at +100ms prio 255", "at +200ms prio 255", "cancel", "now prio 0"}
	if got := strings.Join(fake.log, ", "); got != strings.Join(want, ", ") {
		t.Fatalf("handed:\n got %s\nwant %s", got, strings.Join(want, ", "))
	}
	wantSends(t, conn.timedConn)
	if st := n.Stats(); st.AdvertTiming != TimingProcess || st.TimedSent != 4 {
		t.Fatalf("stats: timing %q, timed %d; want process and 4", st.AdvertTiming, st.TimedSent)
	}
}

// TestNodeLateByIntervalsKeepsTheLeaseGrid: a Master whose timer fires
// more than an interval late hands the sender process the grid's last
// advert due and keeps the grid, so the sender process's lease repeats
// and the Master's next advert stay an interval apart.
func TestNodeLateByIntervalsKeepsTheLeaseGrid(t *testing.T) {
	fake, conn, clk, n, done := runLeaseNode(t)
	t0, iv := clk.Now(), 100*time.Millisecond
	clk.nextArmed(t)
	clk.fire(t0.Add(iv - txtimeLead))
	clk.nextArmed(t)
	clk.fire(t0.Add(2*iv + 250*time.Millisecond)) // due +200ms, 250 ms late
	if due := clk.nextArmed(t); !due.Equal(t0.Add(5*iv - txtimeLead)) {
		t.Fatalf("after a stall the timer is armed for +%v, want +%v (the grid)", due.Sub(t0), 5*iv-txtimeLead)
	}
	clk.fire(t0.Add(5*iv - txtimeLead))
	clk.nextArmed(t)
	n.Shutdown()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	want := []string{"now prio 255", "at +100ms prio 255", "at +400ms prio 255", "at +500ms prio 255", "cancel", "now prio 0"}
	if got := strings.Join(fake.log, ", "); got != strings.Join(want, ", ") {
		t.Fatalf("handed:\n got %s\nwant %s", got, strings.Join(want, ", "))
	}
	wantSends(t, conn.timedConn)
}

func TestLastOnGrid(t *testing.T) {
	t0, iv := time.Unix(1000, 0), 100*time.Millisecond
	for _, c := range []struct{ now, want time.Duration }{
		{-5 * time.Millisecond, 0}, {0, 0}, {5 * time.Millisecond, 0}, {99 * time.Millisecond, 0},
		{100 * time.Millisecond, 100 * time.Millisecond}, {450 * time.Millisecond, 400 * time.Millisecond},
	} {
		if got := lastOnGrid(t0, t0.Add(c.now), iv); !got.Equal(t0.Add(c.want)) {
			t.Errorf("lastOnGrid(+0, +%v, %v) = +%v, want +%v", c.now, iv, got.Sub(t0), c.want)
		}
	}
	if got := lastOnGrid(t0, t0.Add(time.Second), 0); !got.Equal(t0) {
		t.Errorf("a zero interval moved the due time to +%v", got.Sub(t0))
	}
}
