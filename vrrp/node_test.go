package vrrp

import (
	"context"
	"errors"
	"net/netip"
	"sync"
	"testing"
	"time"
)

// segment is an in-memory multicast LAN: every packet sent reaches every
// other attached conn, like 224.0.0.18 on a switch.
type segment struct {
	mu    sync.Mutex
	conns []*memConn
}

type memConn struct {
	seg    *segment
	addr   netip.Addr
	in     chan Packet
	closed chan struct{}
	once   sync.Once
}

func (s *segment) attach(addr string) *memConn {
	c := &memConn{seg: s, addr: netip.MustParseAddr(addr), in: make(chan Packet, 256), closed: make(chan struct{})}
	s.mu.Lock()
	s.conns = append(s.conns, c)
	s.mu.Unlock()
	return c
}

// inject delivers a raw packet to every conn but the sender's.
func (s *segment) inject(p Packet) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		if c.addr != p.Src {
			select {
			case c.in <- p:
			default:
			}
		}
	}
}

func (c *memConn) Send(a Advert) error {
	b, err := a.AppendMarshal(nil, c.addr, GroupIPv4)
	if err != nil {
		return err
	}
	c.seg.inject(Packet{Src: c.addr, Dst: GroupIPv4, TTL: TTL, Payload: b})
	return nil
}

func (c *memConn) Receive() (Packet, error) {
	select {
	case p := <-c.in:
		return p, nil
	case <-c.closed:
		return Packet{}, errors.New("closed")
	}
}

func (c *memConn) Primary() netip.Addr { return c.addr }
func (c *memConn) Close() error        { c.once.Do(func() { close(c.closed) }); return nil }

func testConfig(prio uint8) Config {
	return Config{Interface: "mem0", VRID: 60, Priority: prio, AdvertInterval: 100 * time.Millisecond,
		Preempt: true, VIPs: []netip.Addr{vip4}}
}

func startNode(t *testing.T, cfg Config, conn Conn) (*Node, <-chan Event) {
	t.Helper()
	n, err := NewNode(cfg, conn, SystemClock{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- n.Run(context.Background()) }()
	t.Cleanup(func() {
		n.Shutdown()
		if err := <-errc; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return n, n.Events()
}

// waitState reads events until the wanted state (bounded by 5 s).
func waitState(t *testing.T, ev <-chan Event, want State) Event {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case e, ok := <-ev:
			if !ok {
				t.Fatalf("events closed while waiting for %v", want)
			}
			if e.State == want {
				return e
			}
		case <-deadline:
			t.Fatalf("no transition to %v within 5s", want)
		}
	}
}

// startPair starts a master (priority hi) and then a backup (lo) on one segment.
func startPair(t *testing.T, hi, lo uint8) (*Node, <-chan Event, *Node, <-chan Event) {
	t.Helper()
	seg := &segment{}
	m, mEv := startNode(t, testConfig(hi), seg.attach("192.0.2.11"))
	waitState(t, mEv, Master)
	b, bEv := startNode(t, testConfig(lo), seg.attach("192.0.2.12"))
	waitState(t, bEv, Backup)
	return m, mEv, b, bEv
}

func TestNodesElectAndHandOver(t *testing.T) {
	hi, _, lo, loEv := startPair(t, 200, 100)
	// Later the backup is still backup.
	time.Sleep(500 * time.Millisecond)
	if lo.State() != Backup || hi.State() != Master {
		t.Fatalf("states: high %v, low %v", hi.State(), lo.State())
	}
	hi.Shutdown()
	e := waitState(t, loEv, Master)
	if e.Reason != ReasonPeerShutdown {
		t.Fatalf("takeover reason %q, want %q", e.Reason, ReasonPeerShutdown)
	}
	if s := lo.Stats(); s.Received == 0 || s.Transitions["backup->master"] != 1 {
		t.Fatalf("stats %+v", s)
	}
}

func TestStepDownHandsOver(t *testing.T) {
	hi, _, lo, loEv := startPair(t, 200, 100)
	if err := lo.StepDown(); !errors.Is(err, ErrNotMaster) {
		t.Fatalf("backup StepDown: %v, want ErrNotMaster", err)
	}
	if err := hi.StepDown(); err != nil {
		t.Fatal(err)
	}
	e := waitState(t, loEv, Master)
	if e.Reason != ReasonPeerShutdown {
		t.Fatalf("reason %q", e.Reason)
	}
	time.Sleep(500 * time.Millisecond) // the stepped-down node must not preempt back
	if hi.State() != Backup || lo.State() != Master {
		t.Fatalf("after step-down: high %v, low %v", hi.State(), lo.State())
	}
}

func TestPenaltyLetsBackupPreempt(t *testing.T) {
	a, aEv, _, bEv := startPair(t, 200, 150)
	a.SetPriorityPenalty(100)
	waitState(t, bEv, Master)
	waitState(t, aEv, Backup)
	if got := a.Stats().Priority; got != 100 {
		t.Fatalf("penalised priority %d, want 100", got)
	}
}

func TestNodeCountsDrops(t *testing.T) {
	seg := &segment{}
	n, ev := startNode(t, testConfig(100), seg.attach("192.0.2.11"))
	waitState(t, ev, Backup)
	src := netip.MustParseAddr("192.0.2.99")
	good := func(vrid uint8) []byte {
		b, _ := Advert{VRID: vrid, Priority: 250, Interval: 100, Addrs: []netip.Addr{vip4}}.AppendMarshal(nil, src, GroupIPv4)
		return b
	}
	bad := []Packet{
		{Src: src, Dst: GroupIPv4, TTL: 64, Payload: good(60)},
		{Src: src, Dst: GroupIPv4, TTL: 255, Payload: good(61)},
		{Src: src, Dst: GroupIPv4, TTL: 255, Payload: good(60)[:9]},
		{Src: src, Dst: netip.MustParseAddr("192.0.2.11"), TTL: 255, Payload: good(60)},
	}
	for _, p := range bad {
		seg.inject(p)
	}
	want := map[string]uint64{"ttl": 1, "vrid": 1, "address_count": 1, "destination": 1}
	deadline := time.Now().Add(5 * time.Second)
	for {
		s := n.Stats()
		ok := true
		for k, v := range want {
			ok = ok && s.Drops[k] == v
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("drops %v, want %v", s.Drops, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n.State() != Backup || n.Stats().Received != 0 {
		t.Fatalf("bad packets changed the node: %+v", n.Stats())
	}
}

// TestEventDueNamesTheTimer: a Backup that becomes Master because its
// Master_Down_Timer fired says which deadline it acted on (Event.Due, at
// or before At); a change made by an advert (the startup as Backup) has
// none.
func TestEventDueNamesTheTimer(t *testing.T) {
	seg := &segment{}
	_, evs := startNode(t, testConfig(100), seg.attach("192.0.2.12"))
	if e := waitState(t, evs, Backup); !e.Due.IsZero() {
		t.Fatalf("startup as Backup has Due %v", e.Due)
	}
	e := waitState(t, evs, Master)
	if e.Reason != ReasonMasterDown || e.Due.IsZero() || e.Due.After(e.At) || e.At.Sub(e.Due) > time.Second {
		t.Fatalf("master-down event: reason %q, due %v, at %v", e.Reason, e.Due, e.At)
	}
}
