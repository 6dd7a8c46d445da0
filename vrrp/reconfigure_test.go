package vrrp

import (
	"context"
	"errors"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"
)

// TestMachineReconfigure: a running machine keeps its state across a new
// configuration; a Master announces a new priority, interval or VIP list
// at once and restarts its advert timer; an unchanged one sends nothing; a
// Backup made the owner takes over; turning preempt off accepts the
// lower-priority master it was about to preempt.
func TestMachineReconfigure(t *testing.T) {
	m := NewMachine(params())
	m.Start(t0)
	m.Tick(t0.Add(mdi100)) // Master
	now := t0.Add(mdi100 + 300*time.Millisecond)
	if a := m.Reconfigure(params(), now); a.Send || a.Changed {
		t.Fatalf("unchanged params: %+v", a)
	}
	p := params()
	p.Priority, p.Interval = 120, 50
	a := m.Reconfigure(p, now)
	if !a.Send || a.SendPriority != 120 || a.Changed || m.State() != Master || !m.Deadline().Equal(now.Add(500*time.Millisecond)) {
		t.Fatalf("master, new priority and interval: %+v, state %v, deadline %v", a, m.State(), offset(m.Deadline()))
	}
	p.Addrs = []netip.Addr{vip4}
	if a := m.Reconfigure(p, now); !a.Send || a.SendPriority != 120 {
		t.Fatalf("master, new VIPs: %+v", a)
	}

	b := NewMachine(params())
	b.Start(t0)
	o := params()
	o.Priority = 255
	if a := b.Reconfigure(o, t0.Add(time.Second)); !a.Changed || a.State != Master || a.Reason != ReasonOwner || !a.Send {
		t.Fatalf("backup made the owner: %+v", a)
	}

	c := NewMachine(params())
	c.Start(t0)
	low := Advert{VRID: 60, Priority: 50, Interval: 100}
	src := netip.MustParseAddr("192.0.2.12")
	c.Receive(t0.Add(time.Second), src, low) // discarded: c preempts when its timer fires
	off := params()
	off.Preempt = false
	if a := c.Reconfigure(off, t0.Add(1500*time.Millisecond)); a.Send || a.Changed {
		t.Fatalf("backup, preempt off: %+v", a)
	}
	c.Receive(t0.Add(2*time.Second), src, low)
	if want := t0.Add(2*time.Second + mdi100); !c.Deadline().Equal(want) || c.MasterAddr() != src {
		t.Fatalf("preempt off: the lower master's advert not accepted: deadline %v, master %v", offset(c.Deadline()), c.MasterAddr())
	}
}

// peerConn is a memConn that can change its peers.
type peerConn struct {
	*memConn
	set atomic.Int32
}

func (c *peerConn) SetPeers([]netip.Addr) error { c.set.Add(1); return nil }

// TestNodeReconfigureKeepsMastership: a master and a backup on one
// segment are reconfigured (priorities, interval, VIPs, preempt): neither
// changes state, the master's next advert carries its new priority at
// once; lowering it below the backup's lets the preempting backup take
// over. A change of VRID or of peers on a Conn that cannot change them
// wraps ErrNewRouter and changes nothing; a PeerSetter gets the peers.
func TestNodeReconfigureKeepsMastership(t *testing.T) {
	seg := &segment{}
	hiConn := &peerConn{memConn: seg.attach("192.0.2.11")}
	hi, hiEv := startNode(t, testConfig(200), hiConn)
	waitState(t, hiEv, Master)
	lo, loEv := startNode(t, testConfig(100), seg.attach("192.0.2.12"))
	waitState(t, loEv, Backup)
	watch := seg.attach("192.0.2.99")

	cfg := testConfig(180)
	cfg.AdvertInterval = 50 * time.Millisecond
	cfg.VIPs = []netip.Addr{vip4, netip.MustParseAddr("192.0.2.201")}
	if err := hi.Reconfigure(cfg); err != nil {
		t.Fatal(err)
	}
	// Announced at once: sent before Reconfigure returned.
	if a, ok := lastAdvert(t, watch, "192.0.2.11"); !ok || a.Priority != 180 || len(a.Addrs) != 2 || a.Interval != 5 {
		t.Fatalf("last advert when Reconfigure returned: %+v %v", a, ok)
	}
	lcfg := testConfig(90)
	lcfg.Preempt = false
	if err := lo.Reconfigure(lcfg); err != nil {
		t.Fatal(err)
	}
	time.Sleep(400 * time.Millisecond)
	if hi.State() != Master || lo.State() != Backup {
		t.Fatalf("after reconfigure: %v %v", hi.State(), lo.State())
	}

	other := cfg
	other.VRID = 61
	if err := hi.Reconfigure(other); !errors.Is(err, ErrNewRouter) {
		t.Fatalf("new VRID: %v, want ErrNewRouter", err)
	}
	peers := lcfg
	peers.Peers = []netip.Addr{netip.MustParseAddr("192.0.2.11")}
	if err := lo.Reconfigure(peers); !errors.Is(err, ErrNewRouter) {
		t.Fatalf("new peers on a plain Conn: %v, want ErrNewRouter", err)
	}
	hp := cfg
	hp.Peers = []netip.Addr{netip.MustParseAddr("192.0.2.12")}
	if err := hi.Reconfigure(hp); err != nil || hiConn.set.Load() != 1 {
		t.Fatalf("new peers on a PeerSetter: %v, SetPeers called %d times", err, hiConn.set.Load())
	}
	hp.Peers = nil
	if err := hi.Reconfigure(hp); err != nil || hiConn.set.Load() != 2 {
		t.Fatalf("back to multicast: %v, SetPeers called %d times", err, hiConn.set.Load())
	}

	lcfg.Preempt, lcfg.Priority = true, 150
	if err := lo.Reconfigure(lcfg); err != nil {
		t.Fatal(err)
	}
	hp.Priority = 120
	if err := hi.Reconfigure(hp); err != nil {
		t.Fatal(err)
	}
	if e := waitState(t, loEv, Master); e.Reason != ReasonPreempt {
		t.Fatalf("backup now better: took over for %q", e.Reason)
	}
	waitState(t, hiEv, Backup)
}

// lastAdvert returns the last advert from src that c has received so far.
func lastAdvert(t *testing.T, c *memConn, src string) (last Advert, ok bool) {
	t.Helper()
	for {
		select {
		case p := <-c.in:
			if p.Src.String() != src {
				continue
			}
			a, err := ParseAdvert(p.Payload, p.Src, p.Dst)
			if err != nil {
				t.Fatal(err)
			}
			last, ok = a, true
		default:
			return last, ok
		}
	}
}

// TestNodeReconfigureTracking: tracked interfaces added by Reconfigure
// lower the priority while down (an interface that does not exist is
// down); removed, they stop counting.
func TestNodeReconfigureTracking(t *testing.T) {
	seg := &segment{}
	n, ev := startNode(t, testConfig(200), seg.attach("192.0.2.11"))
	waitState(t, ev, Master)
	cfg := testConfig(200)
	cfg.TrackInterfaces = []TrackInterface{{Name: "seesaw-nosuch0", Penalty: 50}}
	if err := n.Reconfigure(cfg); err != nil {
		t.Fatal(err)
	}
	waitPriority(t, n, 150)
	if err := n.Reconfigure(testConfig(200)); err != nil {
		t.Fatal(err)
	}
	waitPriority(t, n, 200)
	if n.State() != Master {
		t.Fatalf("state %v after tracking changes", n.State())
	}
}

func waitPriority(t *testing.T, n *Node, want uint8) {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); n.Stats().Priority != want; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("priority %d, want %d", n.Stats().Priority, want)
		}
	}
}

// TestNodeStartHeld: a node started with StartHeld is Master at once
// (reason held-vips) and advertises; beside a better master it steps down
// on that master's next advert.
func TestNodeStartHeld(t *testing.T) {
	seg := &segment{}
	_, hiEv := startNode(t, testConfig(200), seg.attach("192.0.2.11"))
	waitState(t, hiEv, Master)
	n, err := NewNode(testConfig(100), seg.attach("192.0.2.12"), SystemClock{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	n.StartHeld()
	errc := make(chan error, 1)
	go func() { errc <- n.Run(context.Background()) }()
	defer func() { n.Shutdown(); <-errc }()
	if e := waitState(t, n.Events(), Master); e.Reason != ReasonHeld || e.Prev != Initialize {
		t.Fatalf("first event %+v", e)
	}
	if e := waitState(t, n.Events(), Backup); e.Reason != ReasonPreempted {
		t.Fatalf("beside a better master: %+v", e)
	}
}

// TestLastRivalAdvert: a master that reads the advert of a router it
// outranks (a master that has not yielded yet) notes when.
func TestLastRivalAdvert(t *testing.T) {
	seg := &segment{}
	hi, hiEv := startNode(t, testConfig(200), seg.attach("192.0.2.11"))
	waitState(t, hiEv, Master)
	if !hi.LastRivalAdvert().IsZero() {
		t.Fatal("a rival before any other router spoke")
	}
	lo, err := NewNode(testConfig(100), seg.attach("192.0.2.12"), SystemClock{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	lo.StartHeld() // advertises as master until it reads hi's advert
	errc := make(chan error, 1)
	go func() { errc <- lo.Run(context.Background()) }()
	defer func() { lo.Shutdown(); <-errc }()
	waitState(t, lo.Events(), Backup)
	if hi.LastRivalAdvert().IsZero() || hi.State() != Master {
		t.Fatalf("rival advert not noted: %v, state %v", hi.LastRivalAdvert(), hi.State())
	}
}
