//go:build linux

package checks_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"time"

	"github.com/seesaw-lb/seesaw/checks"
)

// An engine checks a TCP listener every 200 ms; the target comes up at its
// first check, and goes down once the listener closes (Fall 2: after two
// refused connects).
func ExampleEngine() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	target := checks.Target{Address: netip.MustParseAddr("127.0.0.1"), Port: uint16(ln.Addr().(*net.TCPAddr).Port)}

	e := checks.New(checks.Options{Coalesce: 10 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
	spec := &checks.Spec{Type: checks.TypeTCP, Interval: 200 * time.Millisecond, Timeout: time.Second, Rise: 1, Fall: 2}
	check := checks.Check{Target: target, Spec: spec}
	if err := e.Update([]checks.Check{check}); err != nil {
		panic(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go e.Run(ctx)

	for batch := range e.Events() {
		for _, ev := range batch {
			st, _ := e.Status(ev.Key)
			fmt.Printf("%s check: %s after %d checks (%d failed)\n", st.Type, ev.State, st.Checks, st.Failures)
			if ev.State == checks.StateUp {
				ln.Close() // the next checks are refused
			} else {
				cancel() // Run returns and closes Events
			}
		}
	}
	// Output:
	// tcp check: up after 1 checks (0 failed)
	// tcp check: down after 3 checks (2 failed)
}
