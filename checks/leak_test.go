package checks

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"
)

// openFDs counts this process's open file descriptors.
func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatalf("count open fds: %v", err)
	}
	return len(ents)
}

// settle waits (bounded) until goroutines and fds fall back to the baseline
// and fails naming what leaked.
func settle(t *testing.T, goroutines, fds int) {
	t.Helper()
	var g, f int
	for range 100 {
		g, f = runtime.NumGoroutine(), openFDs(t)
		if g <= goroutines && f <= fds {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	buf := make([]byte, 1<<20)
	t.Fatalf("leak: %d goroutines (baseline %d), %d fds (baseline %d)\n%s",
		g, goroutines, f, fds, buf[:runtime.Stack(buf, true)])
}

// TestNoLeaks runs many checks of every type, passing, failing and timing
// out, concurrently, and requires goroutines and fds back at the baseline.
func TestNoLeaks(t *testing.T) {
	pki := newPKI(t)
	tcpOK := targetOf(t, listenTCP(t, garbage).Addr())
	tcpSilent := targetOf(t, listenTCP(t, silent).Addr())
	tlsOK := listenTLS(t, pki.valid(t, "backend.example.org"))
	httpSrv := httptest.NewServer(http.HandlerFunc(healthHandler))
	defer httpSrv.Close()
	httpOK := targetOf(t, httpSrv.Listener.Addr())
	udpSilent := listenUDP(t, "udp4", "127.0.0.1:0", func([]byte) []byte { return nil })
	dnsOK, dnsTCP := serveDNS(t, zoneHandler)
	radOK := serveRADIUS(t)
	closedPort := closedUDPPort(t)
	e := &env{pingers: &pingers{}}
	defer e.pingers.close()
	runs := []struct {
		spec   Spec
		target Target
	}{
		{Spec{Type: TypeTCP}, tcpOK},
		{Spec{Type: TypeTCP, Send: "x", Expect: Expect{Contains: "never"}}, tcpSilent},
		{Spec{Type: TypeTLS, TLS: TLSOptions{CAPEM: pki.caPEM}}, tlsOK},
		{Spec{Type: TypeTLS}, tcpSilent},
		{Spec{Type: TypeHTTP}, httpOK},
		{Spec{Type: TypeHTTP, HTTP: HTTPOptions{Path: "/healthz", ReuseConnections: true}}, httpOK},
		{Spec{Type: TypeHTTP}, tcpSilent},
		{Spec{Type: TypeUDP, Send: "x"}, udpSilent},
		{Spec{Type: TypeUDP, Send: "x"}, closedPort},
		{Spec{Type: TypeDNS, DNS: DNSOptions{Name: "www.example.org"}}, dnsOK},
		{Spec{Type: TypeDNS, DNS: DNSOptions{Name: "www.example.org", Transport: "tcp"}}, dnsTCP},
		{Spec{Type: TypeDNS, DNS: DNSOptions{Name: "www.example.org"}}, udpSilent},
		{Spec{Type: TypeRADIUS, RADIUS: RADIUSOptions{User: "alice", Secret: testSecret, Expect: "reject"}}, radOK},
		{Spec{Type: TypeRADIUS, RADIUS: RADIUSOptions{User: "alice", Secret: testSecret}}, udpSilent},
		{Spec{Type: TypeICMP}, Target{Address: netip.MustParseAddr("127.0.0.1")}},
		{Spec{Type: TypeICMP}, Target{Address: netip.MustParseAddr("::1")}},
	}
	checkers := make([]checker, len(runs))
	for i, r := range runs {
		r.spec.Interval, r.spec.Timeout = time.Second, 200*time.Millisecond
		s, err := r.spec.Normalize()
		if err != nil {
			t.Fatal(err)
		}
		if checkers[i], err = compile(s, e); err != nil {
			t.Fatal(err)
		}
	}
	round := func() {
		var wg sync.WaitGroup
		for i, r := range runs {
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
				defer cancel()
				checkers[i].check(ctx, r.target)
			})
		}
		wg.Wait()
	}
	round() // open the shared ICMP sockets and warm up servers
	for _, c := range checkers {
		c.close()
	}
	settle(t, runtime.NumGoroutine(), openFDs(t))
	goroutines, fds := runtime.NumGoroutine(), openFDs(t)
	for range 10 {
		round()
	}
	for _, c := range checkers {
		c.close()
	}
	settle(t, goroutines, fds)
}

// closedUDPPort returns a loopback UDP port with no socket bound.
func closedUDPPort(t *testing.T) Target {
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	return targetOf(t, pc.LocalAddr())
}
