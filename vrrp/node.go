package vrrp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// ErrNotMaster is returned by StepDown on a node that is not Master.
var ErrNotMaster = errors.New("not master")

// Event reports a state change to the daemon.
type Event struct {
	State, Prev State
	Reason      Reason
	At          time.Time
	// Priority is the effective priority at the time of the change.
	Priority uint8
	// Master is the current master's primary address, when known.
	Master netip.Addr
	// Accept says whether, as Master, the node should accept packets
	// addressed to the VIPs (Accept_Mode, or being the address owner).
	Accept bool
	// Due is the deadline whose timer made the change (a Backup's
	// Master_Down_Timer); zero for a change made by an advert, a fault or
	// a call. At minus Due is how late the timer was handled.
	Due time.Time
}

// Node runs one virtual router: it owns a Machine, a Conn and a timer.
type Node struct {
	cfg    Config
	conn   Conn
	clock  Clock
	log    *slog.Logger
	filter filter

	events  *eventQueue
	rx      chan received
	ctl     chan ctlRequest
	kick    chan struct{}
	stop    chan struct{}
	stopped sync.Once
	done    chan struct{}

	// timed queues a Master's adverts in the kernel ahead of their
	// deadlines; nil when the node times them itself. txq is Run's.
	timed TimedSender
	txq   txQueue
	// thread is the timing thread when the node started on it; timing
	// indexes timingNames: the path in use.
	thread timingThread
	timing atomic.Uint32

	// release runs before a Master's last advert (SetRelease).
	release func() bool
	// handoff runs when a Master reads a priority-0 advert (SetHandoff).
	handoff func(netip.Addr)
	// rivalAt is when a Master last read an outranked router's advert
	// (LastRivalAdvert), in Unix nanoseconds.
	rivalAt atomic.Int64
	// lower reports outranked routers' adverts (LowerPriorityAdverts).
	lower chan netip.Addr
	// linkUp reports whether the router's own link is up (nil: linkUp).
	linkUp func(string) bool
	// trk follows the tracked interfaces; Run's (reconfigure.go).
	trk tracking
	// startHeld starts Run as Master (StartHeld).
	startHeld bool

	// due is the deadline whose timer the change being applied acts on
	// (Event.Due); Run's.
	due time.Time

	intervals intervalSeen  // interval.go; Run's
	inflight  rxInflight    // see settleReceive
	rxSettle  time.Duration // settleReceive's bound; zero: rxSettleMax
	closing   atomic.Bool
	state     atomic.Uint32
	priority  atomic.Uint32
	extra     atomic.Int64 // SetPriorityPenalty
	c         counters
}

type received struct {
	src netip.Addr
	at  time.Time
	adv Advert
}

// NewNode checks cfg and returns a node that speaks through conn. Events
// are delivered on Events(); clock may be SystemClock{}.
func NewNode(cfg Config, conn Conn, clock Clock, log *slog.Logger) (*Node, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	n := &Node{
		cfg: cfg, conn: conn, clock: clock,
		log:   log.With("vrid", cfg.VRID, "interface", cfg.Interface),
		rx:    make(chan received, 64),
		ctl:   make(chan ctlRequest),
		kick:  make(chan struct{}, 1),
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
		lower: make(chan netip.Addr, 1), intervals: intervalSeen{},
	}
	n.events = newEventQueue(&n.c.eventsCoalesced)
	group := GroupIPv4
	if cfg.IPv6() {
		group = GroupIPv6
	}
	n.filter = filter{
		vrid: cfg.VRID, ipv6: cfg.IPv6(), primary: conn.Primary(), group: group,
		owner: func() bool { return n.priority.Load() == 255 },
	}
	n.filter.setPeers(cfg.Peers)
	n.priority.Store(uint32(cfg.Priority))
	var timing string
	n.timed, n.thread, timing = advertTiming(cfg, conn, n.log)
	n.timing.Store(timingIndex(timing))
	if cfg.IPv6() && !cfg.VIPs[0].IsLinkLocalUnicast() {
		// RFC 9568 5.2.9; keepalived warns the same way and interoperates.
		n.log.Warn("vrrp IPv6 virtual router: the first VIP should be the virtual link-local address", "first", cfg.VIPs[0])
	}
	return n, nil
}

// Events delivers state changes in order; it is closed after Run returns
// and the pending events are taken. No event is dropped: when the consumer
// falls behind by 64 events, the newest replaces the last pending one
// (counted in Stats.EventsCoalesced), so the last event taken is always
// the current state.
func (n *Node) Events() <-chan Event { return n.events.out }

// State returns the current state.
func (n *Node) State() State { return State(n.state.Load()) }

// Stats returns a snapshot of the counters.
func (n *Node) Stats() Stats {
	s := n.c.snapshot()
	s.State, s.Priority = n.State(), uint8(n.priority.Load())
	s.AdvertTiming = timingNames[n.timing.Load()]
	if n.thread != nil {
		// A failed thread send was counted as sent when it was queued; so
		// was an advert the sender process dropped, and its repeats were
		// not.
		ts := n.thread.threadStats()
		s.Sent = s.Sent - min(ts.errors+ts.dropped, s.Sent) + ts.repeated
		s.SendErrors += ts.errors
		s.LateAdverts, s.MaxAdvertLateness = ts.late, ts.maxLate
		s.AdvertsRepeated, s.AdvertsDropped, s.LeaseExpiries, s.SenderLost = ts.repeated, ts.dropped, ts.expired, ts.exits
		if ts.exits > 0 && s.AdvertTiming == TimingProcess {
			s.AdvertTiming = TimingThread
		}
	}
	return s
}

// Shutdown stops the node gracefully: a Master sends priority 0 so the
// backup takes over after Skew_Time. It waits for Run to return, so Run
// must have been started.
func (n *Node) Shutdown() {
	n.stopped.Do(func() { close(n.stop) })
	<-n.done
}

// SetRelease sets f to run on the node's goroutine whenever the node
// leaves mastership (shutdown, step-down, preemption), after State stops
// saying Master and before any advert of the change is sent: a daemon
// removes its VIPs in f, so that the backup, which takes over on the
// priority-0 advert, never holds them at the same time. f must return in
// bounded time (adverts wait for it) and report whether the VIPs are gone:
// a preempted Master sends its handoff advert only then, and a new master
// without one waits out the release's bound. Call it before Run.
func (n *Node) SetRelease(f func() bool) { n.release = f }

// StepDown asks a Master to hand over to the best backup (manual failover).
// It waits for Run to handle the request.
func (n *Node) StepDown() error {
	var ok bool
	err := n.do(func(m *Machine) Actions {
		var a Actions
		a, ok = m.StepDown(n.clock.Now())
		return a
	})
	if err == nil && !ok {
		err = fmt.Errorf("step down VRID %d on %s: %w", n.cfg.VRID, n.cfg.Interface, ErrNotMaster)
	}
	return err
}

// SetPriorityPenalty sets the externally tracked penalty (for example,
// services below their watermark); tracked interfaces add their own. It
// never blocks, and may be called before Run.
func (n *Node) SetPriorityPenalty(p int) {
	n.extra.Store(int64(p))
	select {
	case n.kick <- struct{}{}:
	default: // a wake-up is already pending
	}
}

// ctlRequest is a call into Run's goroutine: f's actions are applied (the
// release hook run, adverts sent) before done is closed.
type ctlRequest struct {
	f    func(*Machine) Actions
	done chan struct{}
}

// do runs f on the machine inside Run's goroutine and waits until its
// actions are carried out.
func (n *Node) do(f func(*Machine) Actions) error {
	r := ctlRequest{f: f, done: make(chan struct{})}
	select {
	case n.ctl <- r:
		<-r.done
		return nil
	case <-n.done:
		return fmt.Errorf("vrrp VRID %d on %s: node stopped", n.cfg.VRID, n.cfg.Interface)
	}
}

// Run runs the node until ctx is done or Shutdown is called, both of which
// shut down gracefully. It closes the Conn before returning.
func (n *Node) Run(ctx context.Context) error {
	defer close(n.done)
	go n.events.run()
	defer n.events.finish()
	defer func() {
		n.closing.Store(true)
		n.conn.Close()
	}()
	go n.receive()
	trackCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	n.trk.ctx = trackCtx
	n.trackLinks(n.cfg.TrackInterfaces)
	ownLink := make(chan bool, 1)
	up := n.linkUp
	if up == nil {
		up = linkUp
	}
	go watchLink(trackCtx, n.cfg.Interface, up, ownLink)
	return n.loop(ctx, ownLink)
}

// loop runs the Machine. The loss of the router's own link is a fault: it
// leaves mastership at once (Initialize, the release hook, no advert) and
// starts again as Backup when the link returns.
func (n *Node) loop(ctx context.Context, ownLink <-chan bool) error {
	m := NewMachine(n.cfg.params(n.conn.Primary()))
	timer := n.clock.NewTimer(time.Hour)
	defer timer.Stop()
	m.SetPenalty(int(n.extra.Load()))
	n.priority.Store(uint32(m.Priority()))
	n.apply(m, n.start(m))
	for {
		n.arm(m, timer)
		select {
		case <-ctx.Done():
			n.shutdown(m)
			return nil
		case <-n.stop:
			n.shutdown(m)
			return nil
		case r := <-n.rx:
			n.receiveAdvert(m, r)
		case r := <-n.ctl:
			n.apply(m, r.f(m))
			close(r.done)
		case <-n.kick: // the penalty below changed
		case n.trk.penalty = <-n.trk.ch:
		case u := <-ownLink:
			if u {
				n.apply(m, m.Start(n.clock.Now()))
			} else {
				n.apply(m, m.Fault(n.clock.Now()))
			}
		case <-timer.C():
			n.fire(m)
		}
		m.SetPenalty(int(n.extra.Load()) + n.trk.penalty)
		n.priority.Store(uint32(m.Priority()))
	}
}

// spinMargin is how early the Go timer fires before a deadline; the rest
// is spun. Go timers fire up to about 1 ms late (the netpoller sleeps in
// whole milliseconds) and a sleeping thread must first be woken by the
// host scheduler; a spinning one is already running.
const spinMargin = 2 * time.Millisecond

func (n *Node) arm(m *Machine, t Timer) {
	d := m.Deadline()
	if d.IsZero() {
		t.Reset(time.Hour)
		return
	}
	early := spinMargin
	if n.queueAhead(m) {
		early = txtimeLead
	}
	t.Reset(max(d.Sub(n.clock.Now())-early, 0))
}

// queueAhead says whether the next deadline's advert is queued in the
// kernel ahead of time: only a Master's periodic one. A Backup's
// Master_Down_Timer cannot be: a queued advert cannot be taken back when
// the master's next advert arrives in time.
func (n *Node) queueAhead(m *Machine) bool { return n.timed != nil && m.State() == Master }

// fire handles the timer. A kernel-timed or thread-timed Master queues
// the advert due at the deadline now, unless the timer came too late for
// that; everything else spins to the deadline, and a Backup handles the
// adverts that arrived before it (settleReceive) before its
// Master_Down_Timer may make it Master.
func (n *Node) fire(m *Machine) {
	d := m.Deadline()
	if n.queueAhead(m) && d.After(n.clock.Now()) {
		n.applyAt(m, m.Tick(d), d)
		return
	}
	if n.queueAhead(m) && n.leased() != nil {
		// Late: the sender process decides whether its lease already
		// covered the advert (it is dropped) or it goes now. Later than
		// an interval, the advert is the grid's last one due, so that the
		// grid the sender process repeats on stays the Master's: a grid
		// restarted at now would put the next advert less than an
		// interval after the sender process's last repeat.
		at := lastOnGrid(d, n.clock.Now(), m.advertInterval())
		n.applyAt(m, m.Tick(at), at)
		return
	}
	n.spinUntil(d)
	if m.State() == Backup {
		n.settleReceive(m)
	}
	n.due = d
	n.apply(m, m.Tick(n.clock.Now()))
	n.due = time.Time{}
}

// lastOnGrid returns the last time of the grid due, due+every,
// due+2*every, ... that is not after now; due when now is before it.
func lastOnGrid(due, now time.Time, every time.Duration) time.Time {
	if every <= 0 || !now.After(due) {
		return due
	}
	return due.Add(now.Sub(due) / every * every)
}

// spinUntil busy-waits for deadline, at most 2*spinMargin (a fake clock
// that does not advance ends the wait by the real-time bound).
func (n *Node) spinUntil(deadline time.Time) {
	if deadline.IsZero() {
		return
	}
	for bound := time.Now().Add(2 * spinMargin); n.clock.Now().Before(deadline) && time.Now().Before(bound); {
	}
}
