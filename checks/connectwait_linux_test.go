package checks

import (
	"errors"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/seesaw-lb/seesaw/internal/testenv"
)

// fullListener listens on loopback with the smallest backlog and fills its
// accept queue with connections nobody accepts, so the kernel drops every
// further SYN: a connect to it stays in progress until its SYN is
// retransmitted after accept makes room. open accepts the queued
// connections and raises the backlog, so the listener takes every later
// connection: a retransmitted SYN is never dropped for a queue that another
// connection filled again.
func fullListener(t *testing.T) (Target, func()) {
	t.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	lo := [4]byte{127, 0, 0, 1}
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: lo}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, _ := unix.Getsockname(fd)
	tg := Target{Address: netip.AddrFrom4(lo), Port: uint16(sa.(*unix.SockaddrInet4).Port)}
	var mu sync.Mutex
	var accepted []int
	open := func() {
		mu.Lock()
		defer mu.Unlock()
		if err := unix.Listen(fd, 1024); err != nil {
			t.Errorf("listen again with a larger backlog: %v", err)
		}
		for {
			c, _, err := unix.Accept4(fd, unix.SOCK_CLOEXEC)
			if err != nil {
				return
			}
			accepted = append(accepted, c)
		}
	}
	t.Cleanup(func() {
		mu.Lock()
		for _, c := range accepted {
			unix.Close(c)
		}
		mu.Unlock()
	})
	for range 4 { // the queue holds backlog+1; later dials hang in SYN_SENT
		c, err := net.DialTimeout("tcp", tg.AddrPort().String(), 50*time.Millisecond)
		if err != nil {
			break
		}
		t.Cleanup(func() { c.Close() })
	}
	return tg, open
}

// resultLog collects OnResult reports.
type resultLog struct {
	mu  sync.Mutex
	res []Result
}

func (l *resultLog) add(r Result) {
	l.mu.Lock()
	l.res = append(l.res, r)
	l.mu.Unlock()
}

// len returns how many results arrived so far.
func (l *resultLog) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.res)
}

// all returns the results for target tg so far.
func (l *resultLog) all(tg Target) []Result {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Result
	for _, r := range l.res {
		if r.Key.Target == tg {
			out = append(out, r)
		}
	}
	return out
}

// next returns result number n (from 0) for target tg, waiting (bounded)
// for it.
func (l *resultLog) next(t *testing.T, tg Target, n int) Result {
	t.Helper()
	var r Result
	testenv.Eventually(t, 5*time.Second, func() bool {
		rs := l.all(tg)
		if len(rs) > n {
			r = rs[n]
		}
		return len(rs) > n
	}, "result %d for %s", n, tg)
	return r
}

// first returns the first result for target tg, waiting (bounded) for it.
func (l *resultLog) first(t *testing.T, tg Target) Result {
	t.Helper()
	return l.next(t, tg, 0)
}

// TestEngineConnectLoop runs plain tcp checks, which the engine starts on
// its connect loop, against a listener (up), a closed port (refused at
// once) and a listener whose full queue drops the SYN (in progress until
// the timeout), and reads every outcome through OnResult.
func TestEngineConnectLoop(t *testing.T) {
	up := targetOf(t, listenTCP(t, func(c net.Conn) { c.Close() }).Addr())
	refused := Target{Address: netip.MustParseAddr("127.0.0.1"), Port: closedTCPPort(t)}
	dropped, _ := fullListener(t)
	var log resultLog
	opts, _ := atOnce(Options{OnResult: log.add})
	e := startEngine(t, opts)
	spec := &Spec{Type: TypeTCP, Interval: time.Hour, Timeout: 300 * time.Millisecond}
	if err := e.Update([]Check{{Target: up, Spec: spec}, {Target: refused, Spec: spec}, {Target: dropped, Spec: spec}}); err != nil {
		t.Fatal(err)
	}
	if r := log.first(t, up); r.Err != nil || r.Type != TypeTCP {
		t.Errorf("check of a listener: %+v, want a tcp success", r)
	}
	if r := log.first(t, refused); r.Err == nil || !strings.Contains(r.Err.Error(), "connection refused") {
		t.Errorf("check of a closed port: %v, want connection refused", r.Err)
	}
	r := log.first(t, dropped)
	if !errors.Is(r.Err, ErrTimeout) || !strings.Contains(r.Err.Error(), "connect to "+dropped.String()) {
		t.Errorf("check of a listener dropping SYNs: %v, want a connect timeout", r.Err)
	}
	if s := e.Stats(); s.Completed != 3 || s.Failed != 2 {
		t.Errorf("stats %+v: want 3 completed, 2 failed", s)
	}
}

// TestEngineConnectLoopLateHandshake: a connect whose SYN is dropped and
// retransmitted (initial RTO 1s) after the queue is drained completes on
// the loop's epoll wake-up, not at once.
func TestEngineConnectLoopLateHandshake(t *testing.T) {
	tg, open := fullListener(t)
	e, log := startedCheck(t, tg, &Spec{Type: TypeTCP, Interval: time.Hour, Timeout: 5 * time.Second})
	e.loop.mu.Lock()
	waiting := len(e.loop.waiting)
	e.loop.mu.Unlock()
	if waiting != 1 {
		t.Fatalf("%d connects waiting on the loop, want 1 (the SYN is dropped)", waiting)
	}
	open()
	if r := log.first(t, tg); r.Err != nil {
		t.Fatalf("check after the queue drained: %v, want a success", r.Err)
	}
}

// startedCheck starts an engine with one check, spec of tg, due at once,
// and waits (bounded) until it has started.
func startedCheck(t *testing.T, tg Target, spec *Spec) (*Engine, *resultLog) {
	t.Helper()
	log := &resultLog{}
	opts, _ := atOnce(Options{OnResult: log.add})
	e := startEngine(t, opts)
	if err := e.Update([]Check{{Target: tg, Spec: spec}}); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 5*time.Second, func() bool { return e.Stats().Started > 0 }, "the check of %s to start", tg)
	return e, log
}

// TestEngineConnectBacklog makes 300 plain tcp checks due 50 ms ago, a
// backlog: the Run goroutine starts them in chunks and, with more than one
// CPU, hands full chunks to a helper; every check must pass exactly once.
func TestEngineConnectBacklog(t *testing.T) {
	tg := targetOf(t, listenTCP(t, func(c net.Conn) { c.Close() }).Addr())
	var log resultLog
	opts, clock := atOnce(Options{OnResult: log.add})
	e := newEngine(opts)
	var cs []Check
	for i := range 300 {
		s := &Spec{Type: TypeTCP, Interval: time.Hour, Timeout: 5 * time.Second, Rise: i + 1} // 300 distinct keys
		cs = append(cs, Check{Target: tg, Spec: s})
	}
	if err := e.Update(cs); err != nil {
		t.Fatal(err)
	}
	clock.advance(50 * time.Millisecond) // due 50 ms ago when Run starts: a backlog
	runEngine(t, e)
	testenv.Eventually(t, 5*time.Second, func() bool { return e.Stats().Completed >= 300 }, "300 completed checks")
	log.mu.Lock()
	defer log.mu.Unlock()
	seen := map[Key]int{}
	for _, r := range log.res {
		if r.Err != nil {
			t.Errorf("check %s: %v", r.Key, r.Err)
		}
		seen[r.Key]++
	}
	if s := e.Stats(); len(seen) != 300 || s.Completed != 300 {
		t.Fatalf("%d checks reported, %d completed; want 300 each, once", len(seen), s.Completed)
	}
}
