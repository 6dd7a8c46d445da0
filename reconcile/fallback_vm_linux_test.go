package reconcile

import (
	"context"
	"os/exec"
	"testing"

	"github.com/seesaw-lb/seesaw/internal/testenv"
	"github.com/seesaw-lb/seesaw/kernel"
)

// TestFallbackInRealIPVS runs the fallback's way in and out (a service
// going down by its watermarks and up again, with a drain and a restart in
// between) against the real kernel, with Debian's ipvsadm as the oracle of
// the table after each round.
func TestFallbackInRealIPVS(t *testing.T) {
	testenv.RequireVM(t, "ipvsadm")
	c, err := kernel.Dial(kernel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	defer c.Flush(ctx)
	r := &fbRounds{t: t, c: c, conns: map[string]uint32{}}
	fallbackInAndOut(t, r, func() string {
		out, err := exec.Command("ipvsadm", "-Sn").CombinedOutput()
		if err != nil {
			t.Fatalf("ipvsadm -Sn: %v: %s", err, out)
		}
		return string(out)
	})
}
