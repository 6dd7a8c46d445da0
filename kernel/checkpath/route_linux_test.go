package checkpath

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"testing"

	"github.com/seesaw-lb/seesaw/internal/netnsexec"
	"github.com/seesaw-lb/seesaw/internal/testenv"
	"github.com/seesaw-lb/seesaw/kernel/internal/rtnl"
)

// TestRoutesInNetns: a check route is added on the named interface, listed
// with that name, and deleted; an interface that does not exist is
// ErrNoInterface; deleting a route twice is no error.
func TestRoutesInNetns(t *testing.T) {
	testenv.RequireNetNS(t)
	ns := fmt.Sprintf("seesaw-cp-%d", os.Getpid())
	for _, args := range [][]string{{"netns", "add", ns}, {"-n", ns, "link", "add", "d0", "type", "veth", "peer", "name", "d1"}, {"-n", ns, "link", "set", "d0", "up"}, {"-n", ns, "link", "set", "d1", "up"}} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %v: %v: %s", args, err, out)
		}
		if args[0] == "netns" {
			t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
		}
	}
	r := Route{Dst: netip.MustParsePrefix("192.0.2.10/32"), Interface: "d0"}
	err := netnsexec.Do(ns, func() error {
		ctx := context.Background()
		rs, err := NewRoutes(0)
		if err != nil {
			return err
		}
		defer rs.Close()
		if err := rs.Add(ctx, Route{Dst: r.Dst, Interface: "nosuch0"}); !errors.Is(err, rtnl.ErrNoInterface) {
			return fmt.Errorf("add on a missing interface: %v", err)
		}
		if err := rs.Add(ctx, r); err != nil {
			return err
		}
		if got, err := rs.List(ctx); err != nil || !slices.Equal(got, []Route{r}) {
			return fmt.Errorf("list after add: %v, %v", got, err)
		}
		for range 2 {
			if err := rs.Delete(ctx, r); err != nil {
				return err
			}
		}
		if got, err := rs.List(ctx); err != nil || len(got) != 0 {
			return fmt.Errorf("list after delete: %v, %v", got, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
