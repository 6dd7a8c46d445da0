package checks

import (
	"context"
	"net/netip"
	"sync"
	"testing"
	"time"
)

func TestICMP(t *testing.T) {
	for _, a := range []string{"127.0.0.1", "::1"} {
		if err := runCheck(t, Spec{Type: TypeICMP}, Target{Address: netip.MustParseAddr(a)}); err != nil {
			t.Errorf("ping %s: %v", a, err)
		}
	}
}

// TestICMPConcurrent runs many pings at once over the shared sockets: each
// must get its own reply (a stolen reply would leave another one waiting
// until its timeout and failing).
func TestICMPConcurrent(t *testing.T) {
	e := &env{pingers: &pingers{}}
	defer e.pingers.close()
	c := &icmpChecker{pingers: e.pingers}
	addrs := []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("127.0.0.2"), netip.MustParseAddr("::1")}
	var wg sync.WaitGroup
	errs := make(chan error, 300)
	for i := range 300 {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			if err := c.check(ctx, Target{Address: addrs[i%len(addrs)]}); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, p := range []*pinger{e.pingers.v4, e.pingers.v6} {
		if p == nil {
			t.Fatal("a family's pinger was never opened")
		}
		p.mu.Lock()
		if n := len(p.pending); n != 0 {
			t.Errorf("%d pings still registered after all returned", n)
		}
		p.mu.Unlock()
	}
}
