//go:build linux

package checks

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/testenv"
)

// startEngine runs an engine until the test ends.
func startEngine(t *testing.T, opts Options) *Engine {
	t.Helper()
	e := newEngine(opts)
	runEngine(t, e)
	return e
}

// newEngine returns an engine that logs nowhere unless opts says otherwise.
func newEngine(opts Options) *Engine {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return New(opts)
}

// runEngine runs e until the test ends.
func runEngine(t *testing.T, e *Engine) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

// nextBatch waits (bounded) for the next batch of events.
func nextBatch(t *testing.T, e *Engine) []Event {
	t.Helper()
	select {
	case b := <-e.Events():
		return b
	case <-time.After(10 * time.Second):
		t.Fatal("no state change within 10s")
		return nil
	}
}

// fastTCP is a TCP check spec that runs often enough for tests.
func fastTCP(rise, fall int) *Spec {
	return &Spec{Type: TypeTCP, Interval: 20 * time.Millisecond, Timeout: 500 * time.Millisecond, Rise: rise, Fall: fall}
}

func TestEngineRiseAndFall(t *testing.T) {
	var conns atomic.Int64
	ln := listenTCP(t, func(net.Conn) { conns.Add(1) })
	target := targetOf(t, ln.Addr())
	var logs lockedBuffer
	e := startEngine(t, Options{Coalesce: 10 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	c := Check{Target: target, Spec: fastTCP(3, 2)}
	if err := e.Update([]Check{c}); err != nil {
		t.Fatal(err)
	}
	b := nextBatch(t, e)
	if len(b) != 1 || b[0].State != StateUp || b[0].Key != c.Key() {
		t.Fatalf("first batch %+v, want one change to up of %v", b, c.Key())
	}
	st, ok := e.Status(c.Key())
	if !ok || st.State != StateUp || st.Checks < 3 || st.Transitions != 1 || conns.Load() < 3 {
		t.Fatalf("status after rise 3: %+v (%v), server saw %d connections", st, ok, conns.Load())
	}
	ln.Close()
	b = nextBatch(t, e)
	if len(b) != 1 || b[0].State != StateDown || b[0].Err == nil || b[0].Seq != 2 {
		t.Fatalf("after the listener closed: %+v, want one change to down (seq 2) with an error", b)
	}
	st, _ = e.Status(c.Key())
	if st.Failures < 2 || st.LastError == nil || st.State != StateDown {
		t.Fatalf("status after fall 2: %+v", st)
	}
	want := "check state changed\" target=" + target.String() + " type=tcp state=down"
	if l := logs.String(); !strings.Contains(l, "state=up") || !strings.Contains(l, want) {
		t.Fatalf("log %q lacks the up and down changes (%q)", l, want)
	}
}

// lockedBuffer is the shared test buffer (testenv.Buffer).
type lockedBuffer = testenv.Buffer

func TestEngineDeduplicates(t *testing.T) {
	var conns atomic.Int64
	ln := listenTCP(t, func(net.Conn) { conns.Add(1) })
	target := targetOf(t, ln.Addr())
	e := startEngine(t, Options{})
	explicit := *fastTCP(1, 1)
	explicit.FastInterval, explicit.DownInterval = explicit.Interval, explicit.Interval
	// Three services ask for the same check, one spelling out the defaults.
	checks := []Check{{Target: target, Spec: fastTCP(1, 1)}, {Target: target, Spec: fastTCP(1, 1)}, {Target: target, Spec: &explicit}}
	if err := e.Update(checks); err != nil {
		t.Fatal(err)
	}
	if n := e.Stats().Targets; n != 1 {
		t.Fatalf("3 identical checks scheduled as %d", n)
	}
	if checks[0].Key() != checks[2].Key() {
		t.Fatal("a spec with its defaults spelled out keys differently")
	}
	nextBatch(t, e)
	st, _ := e.Status(checks[0].Key())
	if got := uint64(conns.Load()); got > st.Checks+1 {
		t.Fatalf("server saw %d connections for %d checks: duplicates ran", got, st.Checks)
	}
}

func TestEngineUpdateKeepsState(t *testing.T) {
	a := targetOf(t, listenTCP(t, func(net.Conn) {}).Addr())
	b := targetOf(t, listenTCP(t, func(net.Conn) {}).Addr())
	e := startEngine(t, Options{Coalesce: time.Millisecond})
	ca, cb := Check{Target: a, Spec: fastTCP(2, 2)}, Check{Target: b, Spec: fastTCP(2, 2)}
	if err := e.Update([]Check{ca}); err != nil {
		t.Fatal(err)
	}
	nextBatch(t, e)
	before, _ := e.Status(ca.Key())
	if err := e.Update([]Check{ca, cb}); err != nil {
		t.Fatal(err)
	}
	after, _ := e.Status(ca.Key())
	if after.State != StateUp || after.Checks < before.Checks || after.Transitions != 1 || !after.Since.Equal(before.Since) {
		t.Fatalf("adding another check reset this one: before %+v, after %+v", before, after)
	}
	if batch := nextBatch(t, e); batch[0].Key != cb.Key() {
		t.Fatalf("next change is %v, want the new check %v coming up", batch[0].Key, cb.Key())
	}
	if err := e.Update([]Check{cb}); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.Status(ca.Key()); ok {
		t.Fatal("removed check still has a status")
	}
	if n := e.Stats().Targets; n != 1 {
		t.Fatalf("%d checks scheduled after removing one of two", n)
	}
}

func TestEngineRejectsBadUpdate(t *testing.T) {
	a := targetOf(t, listenTCP(t, func(net.Conn) {}).Addr())
	e := startEngine(t, Options{})
	good := Check{Target: a, Spec: fastTCP(1, 1)}
	if err := e.Update([]Check{good}); err != nil {
		t.Fatal(err)
	}
	bad := []Check{
		good,
		{Target: a, Spec: &Spec{Type: "smtp", Interval: time.Second, Timeout: time.Second}},
		{Target: a, Spec: &Spec{Type: TypeTCP, Interval: time.Second, Timeout: time.Second, Expect: Expect{Regexp: "("}}},
		{Target: Target{}, Spec: fastTCP(1, 1)},
	}
	err := e.Update(bad)
	if !errors.Is(err, ErrInvalidSpec) {
		t.Fatalf("got %v, want ErrInvalidSpec", err)
	}
	for _, want := range []string{"check 1", "check 2", "check 3"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
	if _, ok := e.Status(good.Key()); !ok || e.Stats().Targets != 1 {
		t.Fatal("a rejected update changed the running checks")
	}
}

// TestEnginePoolBound runs many checks that hang until their timeout with
// a pool of 4: never more than 4 may run at once.
func TestEnginePoolBound(t *testing.T) {
	var open, peak atomic.Int64
	ln := listenTCP(t, func(c net.Conn) {
		n := open.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		io.Copy(io.Discard, c)
		open.Add(-1)
	})
	base := targetOf(t, ln.Addr())
	e := startEngine(t, Options{MaxInFlight: 4})
	var checks []Check
	for i := range 20 {
		s := Spec{Type: TypeTCP, Interval: 10 * time.Millisecond, Timeout: 50 * time.Millisecond, Send: "x", Expect: Expect{Contains: "never"}}
		s.Rise = i + 1 // distinct specs: 20 distinct checks
		checks = append(checks, Check{Target: base, Spec: &s})
	}
	if err := e.Update(checks); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 2*time.Second, func() bool { return e.Stats().Completed >= 40 }, "40 completed checks")
	if s := e.Stats(); s.Completed < 40 || s.Failed < 40 {
		t.Fatalf("stats %+v: want ≥ 40 failed checks", s)
	}
	if p := e.Stats().PeakInFlight; p != 4 {
		t.Fatalf("peak of %d checks in flight, want the pool size 4 (20 hanging checks fill it)", p)
	}
	if p := peak.Load(); p < 2 {
		t.Fatalf("server saw at most %d concurrent checks, want the pool to run several at once", p)
	}
}

// TestEngineNoLeaks runs an engine with passing, failing and hanging checks
// of several types, stops it, and requires goroutines and fds back at the
// baseline.
func TestEngineNoLeaks(t *testing.T) {
	ok := targetOf(t, listenTCP(t, func(net.Conn) {}).Addr())
	hang := targetOf(t, listenTCP(t, silent).Addr())
	udp := listenUDP(t, "udp4", "127.0.0.1:0", func(b []byte) []byte { return b })
	dropped, _ := fullListener(t) // connects wait on the connect loop at shutdown
	goroutines, fds := runtime.NumGoroutine(), openFDs(t)
	e := New(Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	fast := func(s Spec) *Spec { s.Interval, s.Timeout = 5*time.Millisecond, 30*time.Millisecond; return &s }
	err := e.Update([]Check{
		{Target: ok, Spec: fast(Spec{Type: TypeTCP})},
		{Target: dropped, Spec: &Spec{Type: TypeTCP, Interval: 5 * time.Millisecond, Timeout: time.Hour}},
		{Target: hang, Spec: fast(Spec{Type: TypeTCP, Send: "x", Expect: Expect{Contains: "y"}})},
		{Target: hang, Spec: fast(Spec{Type: TypeHTTP})},
		{Target: udp, Spec: fast(Spec{Type: TypeUDP, Send: "x"})},
		{Target: Target{Address: ok.Address}, Spec: fast(Spec{Type: TypeICMP})},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.Run(ctx); close(done) }()
	for e.Stats().Completed < 100 {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if _, open := <-e.Events(); open {
		// drain: a batch may be pending; the channel must close after it
		for range e.Events() {
		}
	}
	settle(t, goroutines, fds)
}

// TestEngineFastAndDownIntervals: an up target that starts failing is
// re-checked at FastInterval (so it goes down long before its hour-long
// Interval), then, once down, at its hour-long DownInterval (so no more
// checks run).
func TestEngineFastAndDownIntervals(t *testing.T) {
	opts, _ := atOnce(Options{Coalesce: time.Millisecond}) // the first check runs at once, not within an hour
	e := startEngine(t, opts)
	s := &Spec{Type: TypeTCP, Interval: time.Hour, DownInterval: time.Hour, FastInterval: 5 * time.Millisecond,
		Timeout: time.Second, Fall: 3, InitialState: StateUp}
	c := Check{Target: Target{Address: netip.MustParseAddr("127.0.0.1"), Port: closedTCPPort(t)}, Spec: s}
	if err := e.Update([]Check{c}); err != nil {
		t.Fatal(err)
	}
	b := nextBatch(t, e)
	if len(b) != 1 || b[0].State != StateDown {
		t.Fatalf("got %+v, want one change to down", b)
	}
	st, _ := e.Status(c.Key())
	if st.Checks != 3 || st.Failures != 3 {
		t.Fatalf("after going down: %d checks, %d failures; want exactly Fall=3 (fast interval, then the down interval)", st.Checks, st.Failures)
	}
	time.Sleep(50 * time.Millisecond) // ten fast intervals: none may run now
	if st, _ := e.Status(c.Key()); st.Checks != 3 {
		t.Fatalf("%d checks while down with an hour-long down interval, want 3", st.Checks)
	}
}

// closedTCPPort returns a loopback TCP port with no listener.
func closedTCPPort(t *testing.T) uint16 {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return targetOf(t, ln.Addr()).Port
}

// TestBehind: a full chunk whose first check is later than twice the timer
// slack is a backlog worth a helper; a short chunk, or one on time, is not.
func TestBehind(t *testing.T) {
	now := time.Now()
	chunk := func(n int, late time.Duration) []job {
		c := make([]job, n)
		for i := range c {
			c[i].due = now.Add(-late)
		}
		return c
	}
	for _, c := range []struct {
		n    int
		late time.Duration
		want bool
	}{{connectChunk, 10 * timerSlack, true}, {connectChunk, timerSlack, false}, {connectChunk - 1, 10 * timerSlack, false}, {connectChunk, 0, false}} {
		if got := behind(chunk(c.n, c.late), now); got != c.want {
			t.Errorf("%d checks, %v late: behind %v, want %v", c.n, c.late, got, c.want)
		}
	}
}
