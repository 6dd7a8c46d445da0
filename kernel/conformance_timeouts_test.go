package kernel_test

import (
	"context"
	"errors"
	"testing"

	"github.com/seesaw-lb/seesaw/kernel"
)

// testTimeouts: SET_CONFIG changes only the timeouts it is given (a zero
// field leaves that one), GET_CONFIG reads back each of them, the whole
// range seesaw accepts (1 s to 2147483 s, INT_MAX/HZ at HZ=1000) is taken,
// and a value past the kernel's limit is refused with nothing changed.
func testTimeouts(t *testing.T, c *kernel.Client, _ suiteEnv) {
	ctx := context.Background()
	orig, err := c.Timeouts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.SetTimeouts(ctx, orig); err != nil {
			t.Errorf("restore timeouts %+v: %v", orig, err)
		}
	})
	const most = 2147483
	for _, s := range []struct{ set, want kernel.Timeouts }{
		{kernel.Timeouts{TCP: 3600}, kernel.Timeouts{TCP: 3600, TCPFin: orig.TCPFin, UDP: orig.UDP}},
		{kernel.Timeouts{TCPFin: 30}, kernel.Timeouts{TCP: 3600, TCPFin: 30, UDP: orig.UDP}},
		{kernel.Timeouts{UDP: 60}, kernel.Timeouts{TCP: 3600, TCPFin: 30, UDP: 60}},
		{kernel.Timeouts{}, kernel.Timeouts{TCP: 3600, TCPFin: 30, UDP: 60}},
		{kernel.Timeouts{TCP: 1, TCPFin: 1, UDP: 1}, kernel.Timeouts{TCP: 1, TCPFin: 1, UDP: 1}},
		{kernel.Timeouts{TCP: most, TCPFin: most, UDP: most}, kernel.Timeouts{TCP: most, TCPFin: most, UDP: most}},
	} {
		if err := c.SetTimeouts(ctx, s.set); err != nil {
			t.Fatalf("set %+v: %v", s.set, err)
		}
		if got, err := c.Timeouts(ctx); err != nil || got != s.want {
			t.Fatalf("after set %+v: read %+v, %v; want %+v", s.set, got, err, s.want)
		}
	}
	if err := c.SetTimeouts(ctx, kernel.Timeouts{TCP: 7, UDP: 1<<31 - 1}); !errors.Is(err, kernel.ErrInvalid) {
		t.Errorf("udp timeout 2^31-1 s (past INT_MAX/HZ): %v, want ErrInvalid", err)
	}
	if got, err := c.Timeouts(ctx); err != nil || got != (kernel.Timeouts{TCP: most, TCPFin: most, UDP: most}) {
		t.Errorf("after a refused set: %+v, %v; want nothing changed", got, err)
	}
}
