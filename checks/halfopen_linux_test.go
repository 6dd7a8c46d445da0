package checks

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/testenv"
)

// countingListener listens on addr and counts the connections it accepts.
func countingListener(t *testing.T, network, addr string) (Target, *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var n atomic.Int64
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			c.Close()
		}
	}()
	return targetOf(t, ln.Addr()), &n
}

// synRecv counts the half-open (SYN_RECV) connections to port in
// /proc/net/tcp and tcp6: what a probe leaves behind if the host's RST
// never reaches the target.
func synRecv(t *testing.T, port uint16) int {
	t.Helper()
	n := 0
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			fields := strings.Fields(line)
			if len(fields) > 3 && strings.HasSuffix(fields[1], fmt.Sprintf(":%04X", port)) && fields[3] == "03" {
				n++
			}
		}
	}
	return n
}

// TestEngineHalfOpen runs half-open tcp checks through the engine against
// listeners (up), closed ports (refused) on IPv4 and IPv6, and a listener
// whose full queue drops SYNs (timeout). The listeners must accept no
// connection (a connect check would give them one each), and no half-open
// connection may stay behind (the host's RST ended it).
func TestEngineHalfOpen(t *testing.T) {
	up4, accepted4 := countingListener(t, "tcp4", "127.0.0.1:0")
	up6, accepted6 := countingListener(t, "tcp6", "[::1]:0")
	refused4 := Target{Address: netip.MustParseAddr("127.0.0.1"), Port: closedTCPPort(t)}
	refused6 := Target{Address: netip.MustParseAddr("::1"), Port: refused4.Port}
	dropped, _ := fullListener(t)
	var log resultLog
	opts, _ := atOnce(Options{OnResult: log.add})
	e := startEngine(t, opts)
	spec := &Spec{Type: TypeTCP, HalfOpen: true, Interval: time.Hour, Timeout: 300 * time.Millisecond}
	if err := e.Update([]Check{{Target: up4, Spec: spec}, {Target: up6, Spec: spec}, {Target: refused4, Spec: spec}, {Target: refused6, Spec: spec}, {Target: dropped, Spec: spec}}); err != nil {
		t.Fatal(err)
	}
	for _, tg := range []Target{up4, up6} {
		if r := log.first(t, tg); r.Err != nil {
			t.Errorf("half-open check of listener %s: %v, want success", tg, r.Err)
		}
	}
	for _, tg := range []Target{refused4, refused6} {
		if r := log.first(t, tg); r.Err == nil || !strings.Contains(r.Err.Error(), "connection refused") {
			t.Errorf("half-open check of closed port %s: %v, want connection refused", tg, r.Err)
		}
	}
	r := log.first(t, dropped)
	if !errors.Is(r.Err, ErrTimeout) || !strings.Contains(r.Err.Error(), "half-open check of "+dropped.String()) {
		t.Errorf("half-open check of a listener dropping SYNs: %v, want a half-open timeout", r.Err)
	}
	time.Sleep(50 * time.Millisecond) // let any accept happen
	if n4, n6 := accepted4.Load(), accepted6.Load(); n4 != 0 || n6 != 0 {
		t.Errorf("listeners accepted %d and %d connections; half-open checks establish none", n4, n6)
	}
	for _, tg := range []Target{up4, up6} {
		if n := synRecv(t, tg.Port); n != 0 {
			t.Errorf("%d half-open connections to %s left behind", n, tg)
		}
	}
	if s := e.Stats(); s.Completed != 5 || s.Failed != 3 {
		t.Errorf("stats %+v: want 5 completed, 3 failed", s)
	}
}

// TestEngineHalfOpenMany: 2,000 half-open checks of distinct loopback
// addresses due at once go out in batches; every one must succeed exactly
// once, with none left pending.
func TestEngineHalfOpenMany(t *testing.T) {
	up, accepted := countingListener(t, "tcp4", "0.0.0.0:0")
	var log resultLog
	opts, _ := atOnce(Options{OnResult: log.add, MaxInFlight: 4096})
	e := startEngine(t, opts)
	spec := &Spec{Type: TypeTCP, HalfOpen: true, Interval: time.Hour, Timeout: 5 * time.Second}
	var cs []Check
	for i := range 2000 {
		a := netip.AddrFrom4([4]byte{127, 1, byte(i >> 8), byte(i)})
		cs = append(cs, Check{Target: Target{Address: a, Port: up.Port}, Spec: spec})
	}
	if err := e.Update(cs); err != nil {
		t.Fatal(err)
	}
	// OnResult runs after the engine counts a check: wait for both.
	testenv.Eventually(t, 10*time.Second, func() bool { return e.Stats().Completed >= 2000 && log.len() >= 2000 }, "2000 results")
	log.mu.Lock()
	seen := map[Key]int{}
	for _, r := range log.res {
		if r.Err != nil {
			t.Errorf("check %s: %v", r.Key, r.Err)
		}
		seen[r.Key]++
	}
	log.mu.Unlock()
	if s := e.Stats(); len(seen) != 2000 || s.Completed != 2000 {
		t.Fatalf("%d checks reported, %d completed; want 2000 each, once", len(seen), s.Completed)
	}
	p := e.probes.get(e.opts.Logger)
	p.mu.Lock()
	pending := len(p.pending)
	p.mu.Unlock()
	if pending != 0 || accepted.Load() != 0 {
		t.Errorf("%d probes pending, %d connections accepted; want 0 and 0", pending, accepted.Load())
	}
}

// TestHalfOpenSpecValidation: half-open is for plain tcp checks only.
func TestHalfOpenSpecValidation(t *testing.T) {
	for _, s := range []Spec{
		{Type: TypeTCP, HalfOpen: true, Send: "x"},
		{Type: TypeTCP, HalfOpen: true, Expect: Expect{Contains: "x"}},
		{Type: TypeTLS, HalfOpen: true},
		{Type: TypeHTTP, HalfOpen: true},
	} {
		s.Interval, s.Timeout = time.Second, time.Second
		if _, err := s.Normalize(); !errors.Is(err, ErrInvalidSpec) {
			t.Errorf("%+v: %v, want ErrInvalidSpec", s, err)
		}
	}
	plain := Spec{Type: TypeTCP, HalfOpen: true, Interval: time.Second, Timeout: time.Second}
	if _, err := plain.Normalize(); err != nil {
		t.Fatal(err)
	}
	if plain.ID() == (Spec{Type: TypeTCP, Interval: time.Second, Timeout: time.Second}).ID() {
		t.Error("a half-open and a connect check share a spec ID")
	}
}

// TestEngineHalfOpenResendsSYN: a listener with a full queue drops the
// first SYN; the queue is drained at once. A probe whose timeout is longer
// than synRTO sends the SYN again and passes after about synRTO; one with a
// shorter timeout does not send again and times out.
func TestEngineHalfOpenResendsSYN(t *testing.T) {
	for _, c := range []struct {
		timeout time.Duration
		pass    bool
	}{{3 * time.Second, true}, {800 * time.Millisecond, false}} {
		tg, open := fullListener(t)
		_, log := startedCheck(t, tg, &Spec{Type: TypeTCP, HalfOpen: true, Interval: time.Hour, Timeout: c.timeout})
		time.Sleep(100 * time.Millisecond) // the SYN has been dropped
		open()
		r := log.first(t, tg)
		switch {
		case c.pass && (r.Err != nil || r.Latency < synRTO):
			t.Errorf("timeout %v: %v after %v, want a pass after the SYN was sent again at %v", c.timeout, r.Err, r.Latency, synRTO)
		case !c.pass && !errors.Is(r.Err, ErrTimeout):
			t.Errorf("timeout %v: %v, want a timeout (no second SYN before the deadline)", c.timeout, r.Err)
		}
	}
}

// TestEngineHalfOpenNoLeaks: an engine that ran half-open checks (passing,
// refused, and one still waiting at shutdown) leaves no goroutine and no
// file descriptor behind: its probe sockets, reserved ports, receive
// goroutines and timer all go with Run.
func TestEngineHalfOpenNoLeaks(t *testing.T) {
	up, _ := countingListener(t, "tcp4", "127.0.0.1:0")
	refused := Target{Address: netip.MustParseAddr("127.0.0.1"), Port: closedTCPPort(t)}
	waiting, _ := fullListener(t)
	settle(t, runtime.NumGoroutine(), openFDs(t))
	goroutines, fds := runtime.NumGoroutine(), openFDs(t)
	opts, _ := atOnce(Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	e := New(opts)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { e.Run(ctx); close(stopped) }()
	spec := &Spec{Type: TypeTCP, HalfOpen: true, Interval: 50 * time.Millisecond, Timeout: 40 * time.Millisecond}
	long := &Spec{Type: TypeTCP, HalfOpen: true, Interval: time.Hour, Timeout: time.Hour}
	if err := e.Update([]Check{{Target: up, Spec: spec}, {Target: refused, Spec: spec}, {Target: waiting, Spec: long}}); err != nil {
		t.Fatal(err)
	}
	for range 500 {
		if e.Stats().Completed >= 20 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := openFDs(t); n < fds+2*(1+probePorts) {
		t.Fatalf("%d fds open during the checks, baseline %d: the probe sockets and reserved ports were never opened", n, fds)
	}
	cancel()
	<-stopped
	settle(t, goroutines, fds)
}

// TestEngineHalfOpenPortsRunOut: more half-open checks of one target in
// flight at once than there are probe ports (distinct specs, all waiting
// on a listener that drops SYNs) do not fail for want of a port: the
// checks beyond the ports connect instead, and every check passes once
// the listener takes connections again.
func TestEngineHalfOpenPortsRunOut(t *testing.T) {
	tg, open := fullListener(t)
	var log resultLog
	opts, _ := atOnce(Options{OnResult: log.add})
	e := startEngine(t, opts)
	var cs []Check
	for i := range probePorts + 4 {
		cs = append(cs, Check{Target: tg, Spec: &Spec{Type: TypeTCP, HalfOpen: true, Interval: time.Hour, Timeout: 5 * time.Second, Rise: i + 1}})
	}
	if err := e.Update(cs); err != nil {
		t.Fatal(err)
	}
	for range 500 {
		if e.Stats().Started >= uint64(len(cs)) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // the SYNs have been dropped
	open()
	testenv.Eventually(t, 5*time.Second, func() bool { return log.len() >= len(cs) }, "%d results", len(cs))
	log.mu.Lock()
	defer log.mu.Unlock()
	if len(log.res) != len(cs) {
		t.Fatalf("%d results, want %d", len(log.res), len(cs))
	}
	for _, r := range log.res {
		if r.Err != nil {
			t.Errorf("check %s: %v", r.Key, r.Err)
		}
	}
}

// TestNextResend: a probe sends its SYN again at 1 s, 3 s, 7 s, ... after
// its start, while that is before its deadline.
func TestNextResend(t *testing.T) {
	s := int64(synRTO)
	for _, c := range []struct {
		deadline int64
		sent     int
		want     int64
	}{
		{5 * s, 1, s}, {5 * s, 2, 3 * s}, {5 * s, 3, 0}, {8 * s, 3, 7 * s},
		{s, 1, 0}, {s / 2, 1, 0}, {3 * s, 2, 0}, {1 << 62, 0, 0}, {1 << 62, 31, 0},
	} {
		if got := nextResend(0, c.deadline, c.sent); got != c.want {
			t.Errorf("nextResend(0, %v, %d) = %v, want %v", time.Duration(c.deadline), c.sent, time.Duration(got), time.Duration(c.want))
		}
	}
}

// TestHalfOpenReplyMatching feeds received segments to the prober without
// sockets: one to a port no probe uses and a late answer to an earlier
// probe (another sequence number) are dropped and counted, the probe stays
// pending; a SYN-ACK ends it as up and, for a second probe, a RST as
// refused.
func TestHalfOpenReplyMatching(t *testing.T) {
	var got []done
	p := &halfOpen{report: func(ds []done) { got = append(got, ds...) }, now: time.Now, pending: map[probeKey]*probe{}}
	s := &probeSocket{fam: fam4}
	target := Target{Address: netip.MustParseAddr("192.0.2.9"), Port: 80}
	add := func(sport uint16, seq uint32) *probe {
		pr := &probe{key: probeKey{addr: keyAddr(target.Address), dport: 80, sport: sport}, fam: s, seq: seq,
			job: job{ent: &entry{key: Key{Target: target}}}, deadline: 1}
		p.pending[pr.key] = pr
		heap.Push(&p.byDue, pr)
		return pr
	}
	feed := func(segs ...[]byte) {
		rx := newRxBuf()
		for i, b := range segs {
			copy(rx.vec.bufs[i], b)
			rx.vec.hdrs[i].Len = uint32(len(b))
		}
		p.handle(s, &rx, len(segs))
	}
	add(40000, 41)
	feed(ipv4Segment(5, 80, 40001, 42, tcpSYN|tcpACK), // no probe on that port
		ipv4Segment(5, 80, 40000, 7, tcpSYN|tcpACK)) // acknowledges another SYN
	if n := p.unmatched.Load(); n != 2 || len(got) != 0 || len(p.pending) != 1 {
		t.Fatalf("after two stray segments: %d unmatched, %d results, %d pending; want 2, 0, 1", n, len(got), len(p.pending))
	}
	add(40001, 99)
	feed(ipv4Segment(5, 80, 40000, 42, tcpSYN|tcpACK), ipv4Segment(5, 80, 40001, 100, tcpRST|tcpACK))
	if len(got) != 2 || got[0].err != nil || got[1].err == nil || !strings.Contains(got[1].err.Error(), "connection refused") {
		t.Fatalf("results %+v: want up, then connection refused", got)
	}
	if n := p.unmatched.Load(); n != 2 || len(p.pending) != 0 || len(p.byDue) != 0 || len(p.free) != 2 {
		t.Fatalf("%d unmatched, %d pending, %d in the heap, %d recycled; want 2, 0, 0, 2", n, len(p.pending), len(p.byDue), len(p.free))
	}
}
