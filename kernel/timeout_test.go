package kernel_test

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/kerneltest"
)

// hangGuard fails the test when f has not returned after 10 s: a bound on
// a stuck exchange, not a timing assertion.
func hangGuard(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s still waiting for a stalled kernel after 10 s", what)
	}
}

func TestTimeoutEndsAStalledExchange(t *testing.T) {
	f := kerneltest.NewIPVS()
	c := dialFake(t, f, kernel.Options{Timeout: 50 * time.Millisecond})
	k := kernel.NewServiceKey(kernel.TCP, netip.MustParseAddr("192.0.2.1"), 80)
	f.Stall()
	var res []kernel.Result
	var err error
	hangGuard(t, "Apply", func() {
		res, err = c.Apply(context.Background(), []kernel.Op{addSvc(k, kernel.ServiceConfig{Scheduler: "wrr"})})
	})
	if err != nil || len(res) != 1 || !res[0].Uncertain || !errors.Is(res[0].Err, kernel.ErrUncertain) || !errors.Is(res[0].Err, kernel.ErrTimeout) {
		t.Fatalf("Apply on a stalled kernel: %+v, %v; want one Uncertain result matching ErrUncertain and ErrTimeout", res, err)
	}
	hangGuard(t, "Snapshot", func() { _, err = c.Snapshot(context.Background()) })
	if !errors.Is(err, kernel.ErrTimeout) {
		t.Fatalf("Snapshot on a stalled kernel: %v, want ErrTimeout", err)
	}
	f.Resume()
	s, err := c.Snapshot(context.Background())
	if err != nil || len(s.Services) != 1 {
		t.Fatalf("Snapshot after Resume: %d services, %v; want the uncertain add applied", len(s.Services), err)
	}
}

func TestContextEndsAStalledExchangeWithoutTimeout(t *testing.T) {
	f := kerneltest.NewIPVS()
	c := dialFake(t, f, kernel.Options{Timeout: -1})
	f.Stall()
	defer f.Resume()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	var err error
	hangGuard(t, "Services", func() { _, err = c.Services(ctx) })
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, kernel.ErrTimeout) {
		t.Fatalf("Services with a context deadline: %v, want context.DeadlineExceeded", err)
	}
}
