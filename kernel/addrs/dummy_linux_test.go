package addrs

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os/exec"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/seesaw-lb/seesaw/internal/netnsexec"
)

// TestEnsureDummyInNetns: EnsureDummy creates a missing interface as a
// dummy that is up and answers no ARP, takes addresses, and leaves an
// existing one as it is but up.
func TestEnsureDummyInNetns(t *testing.T) {
	requireNetns(t)
	nsA, _ := vethPair(t)
	ipCmd(t, "-n", nsA, "link", "set", "va", "down")
	if out, err := exec.Command("ip", "-n", nsA, "link", "add", "probe0", "type", "dummy").CombinedOutput(); err != nil {
		// Some hosts' kernels lack the driver; the VM's has it and the
		// anycast suite (make anycasttest) creates anycast0 there.
		t.Skipf("this kernel cannot create dummy interfaces: %v: %s", err, out)
	}
	ipCmd(t, "-n", nsA, "link", "del", "probe0")
	err := netnsexec.Do(nsA, func() error {
		ctx := context.Background()
		a, err := New(0)
		if err != nil {
			return err
		}
		defer a.Close()
		dm := a.(DummyMaker)
		if created, err := dm.EnsureDummy(ctx, "anycast0"); err != nil || !created {
			return fmt.Errorf("first EnsureDummy: created %v, %v", created, err)
		}
		ifi, err := net.InterfaceByName("anycast0")
		if err != nil {
			return err
		}
		if raw := rawFlags(ifi); raw&unix.IFF_UP == 0 || raw&unix.IFF_NOARP == 0 {
			return fmt.Errorf("anycast0 flags %v: want up and noarp", ifi.Flags)
		}
		if created, err := dm.EnsureDummy(ctx, "anycast0"); err != nil || created {
			return fmt.Errorf("second EnsureDummy: created %v, %v", created, err)
		}
		vip := netip.MustParsePrefix("192.0.2.10/32")
		if err := a.Add(ctx, "anycast0", vip); err != nil {
			return err
		}
		if got, err := a.List(ctx, "anycast0"); err != nil || len(got) != 1 || got[0] != vip {
			return fmt.Errorf("anycast0 holds %v (%v), want %v", got, err, vip)
		}
		// An existing interface that is down is set up, not replaced.
		if created, err := dm.EnsureDummy(ctx, "va"); err != nil || created {
			return fmt.Errorf("EnsureDummy of the existing va: created %v, %v", created, err)
		}
		va, err := net.InterfaceByName("va")
		if err != nil {
			return err
		}
		if raw := rawFlags(va); raw&unix.IFF_UP == 0 || raw&unix.IFF_NOARP != 0 {
			return fmt.Errorf("va flags %v after EnsureDummy: want up, ARP untouched", va.Flags)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// rawFlags reads the kernel's interface flags (net.Flags lacks NOARP).
func rawFlags(ifi *net.Interface) uint32 {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0
	}
	defer unix.Close(fd)
	req, err := unix.NewIfreq(ifi.Name)
	if err != nil {
		return 0
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, req); err != nil {
		return 0
	}
	return uint32(req.Uint16())
}
