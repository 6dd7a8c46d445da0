package reconcile

import (
	"context"
	"log/slog"
	"net/netip"
	"sync"
	"time"
)

// Announce says how a VIP the node adds is announced to the segment
// (gratuitous ARP, unsolicited neighbour advertisement): Repeat times,
// Interval apart, at once; the same again after Delay (0: no second burst);
// then once every Refresh while the node holds it (0: never). The zero
// value announces once.
type Announce struct {
	Repeat   int
	Interval time.Duration
	Delay    time.Duration
	Refresh  time.Duration
}

// announcer sends the announcements that follow an address's first: each
// address has its own schedule, which forget ends.
type announcer struct {
	send  func(ctx context.Context, ifname string, a netip.Addr) error
	sleep func(ctx context.Context, d time.Duration) error
	log   *slog.Logger

	mu    sync.Mutex // guards sched
	sched map[Address]*schedule
}

// schedule is one address's announcements after its first.
type schedule struct {
	cancel context.CancelFunc
	// mu is held while one of its announcements is sent, so that after
	// forget returns nothing more is sent for the address; other
	// addresses' sends never hold it up.
	mu sync.Mutex
}

func newAnnouncer(send func(context.Context, string, netip.Addr) error, log *slog.Logger) *announcer {
	return &announcer{send: send, sleep: sleepCtx, log: log, sched: map[Address]*schedule{}}
}

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// start schedules the announcements of a, the first one at once, on a
// goroutine of its own, replacing any schedule a had: the round that adds
// many VIPs does not wait for their announcements.
func (n *announcer) start(a Address, p Announce) { n.begin(a, p, false) }

// startSent is start for an address whose first announcement has already
// been sent (a takeover's batch): its schedule goes on from the second,
// and an address announced once only gets none.
func (n *announcer) startSent(a Address, p Announce) {
	if max(p.Repeat, 1) == 1 && p.Delay <= 0 && p.Refresh <= 0 {
		n.forget(a)
		return
	}
	n.begin(a, p, true)
}

func (n *announcer) begin(a Address, p Announce, sent bool) {
	n.forget(a)
	ctx, cancel := context.WithCancel(context.Background())
	s := &schedule{cancel: cancel}
	n.mu.Lock()
	n.sched[a] = s
	n.mu.Unlock()
	go n.run(ctx, a, s, p, sent)
}

// forget ends a's schedule; nothing is sent for a after it returns.
func (n *announcer) forget(a Address) { n.stop(a).wait() }

// stop ends a's schedule without waiting for a send already under way;
// wait on the result does. Stopping many addresses first and waiting after
// lets their sends finish together, not one after the other.
func (n *announcer) stop(a Address) *schedule {
	n.mu.Lock()
	s := n.sched[a]
	delete(n.sched, a)
	n.mu.Unlock()
	if s != nil {
		s.cancel()
	}
	return s
}

// wait returns once no send of s is under way; nil waits for nothing.
func (s *schedule) wait() {
	if s != nil {
		s.mu.Lock()
		s.mu.Unlock()
	}
}

// run is a's schedule: the first burst, the second burst, the refreshes;
// sent says the first burst's first announcement has been sent already.
func (n *announcer) run(ctx context.Context, a Address, s *schedule, p Announce, sent bool) {
	burst := func(from int) bool {
		for i := from; i < max(p.Repeat, 1); i++ {
			if i > 0 && !n.wait(ctx, p.Interval) || !n.announce(ctx, a, s) {
				return false
			}
		}
		return true
	}
	first := 0
	if sent {
		first = 1
	}
	if !burst(first) {
		return
	}
	if p.Delay > 0 && (!n.wait(ctx, p.Delay) || !burst(0)) {
		return
	}
	for p.Refresh > 0 && n.wait(ctx, p.Refresh) && n.announce(ctx, a, s) {
	}
}

// wait sleeps d (none for 0) and reports whether the schedule goes on.
func (n *announcer) wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	return n.sleep(ctx, d) == nil
}

// announce sends one announcement of a unless its schedule has ended.
func (n *announcer) announce(ctx context.Context, a Address, s *schedule) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ctx.Err() != nil {
		return false
	}
	if err := n.send(ctx, a.Interface, a.Prefix.Addr()); err != nil {
		n.log.Warn("announce VIP", "interface", a.Interface, "address", a.Prefix.Addr().String(), "error", err.Error())
	}
	return true
}
