package addrs

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/seesaw-lb/seesaw/internal/netnsexec"
)

// TestLinkMatchesTheNetPackageInNetns: the interface lookup on the open
// socket gives what net.InterfaceByName gives (index, name, MTU, hardware
// address, flags), sees the socket's namespace, and names a missing
// interface with ErrNoInterface, as every operation then does.
func TestLinkMatchesTheNetPackageInNetns(t *testing.T) {
	requireNetns(t)
	nsA, _ := vethPair(t)
	withAddresses(t, nsA, 0, func(la *linuxAddresses) error {
		for _, name := range []string{"lo", "va"} {
			want, err := net.InterfaceByName(name)
			if err != nil {
				return err
			}
			got, err := la.link(name)
			if err != nil {
				return fmt.Errorf("link %s: %w", name, err)
			}
			if got.Index != want.Index || got.Name != want.Name || got.MTU != want.MTU ||
				got.HardwareAddr.String() != want.HardwareAddr.String() || got.Flags != want.Flags {
				return fmt.Errorf("link %s = %+v, net.InterfaceByName %+v", name, got, want)
			}
		}
		for _, name := range []string{"nosuch0", "", strings.Repeat("x", 16)} {
			if _, err := la.link(name); !errors.Is(err, ErrNoInterface) {
				return fmt.Errorf("link %q: %v, want ErrNoInterface", name, err)
			}
		}
		if err := la.Add(context.Background(), "nosuch0", netip.MustParsePrefix("192.0.2.10/32")); !errors.Is(err, ErrNoInterface) ||
			!strings.Contains(err.Error(), "add address 192.0.2.10/32 to nosuch0") {
			return fmt.Errorf("add on a missing interface: %v", err)
		}
		return nil
	})
}

// TestLinkSeesTheSocketsNamespaceInNetns: an Addresses opened on another
// namespace looks its interfaces up there, not in the caller's.
func TestLinkSeesTheSocketsNamespaceInNetns(t *testing.T) {
	requireNetns(t)
	nsA, nsB := vethPair(t)
	fd, err := unix.Open("/run/netns/"+nsB, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	withAddresses(t, nsA, fd, func(la *linuxAddresses) error {
		if _, err := la.link("vb"); err != nil {
			return fmt.Errorf("vb of the socket's namespace: %w", err)
		}
		if _, err := la.link("va"); !errors.Is(err, ErrNoInterface) {
			return fmt.Errorf("va of the caller's namespace: %v, want ErrNoInterface", err)
		}
		return nil
	})
}

// TestPrepareAnnounceOpensTheKeptSocketInNetns: PrepareAnnounce opens the
// interface's ARP socket, the announcements then go from that socket (no
// other is opened), and a missing interface is ErrNoInterface.
func TestPrepareAnnounceOpensTheKeptSocketInNetns(t *testing.T) {
	requireNetns(t)
	nsA, _ := vethPair(t)
	withAddresses(t, nsA, 0, func(la *linuxAddresses) error {
		ctx := context.Background()
		if err := la.PrepareAnnounce(ctx, "nosuch0"); !errors.Is(err, ErrNoInterface) {
			return fmt.Errorf("prepare a missing interface: %v", err)
		}
		if err := la.PrepareAnnounce(ctx, "va"); err != nil {
			return err
		}
		ifi, err := net.InterfaceByName("va")
		if err != nil {
			return err
		}
		opened := la.garp.conns[ifi.Index]
		if opened == nil || len(la.garp.conns) != 1 {
			return fmt.Errorf("sockets after PrepareAnnounce: %v", la.garp.conns)
		}
		if errs := la.AnnounceAll(ctx, "va", []netip.Addr{netip.MustParseAddr("192.0.2.10")}); errs[0] != nil {
			return errs[0]
		}
		if la.garp.conns[ifi.Index] != opened || len(la.garp.conns) != 1 {
			return fmt.Errorf("the announcement opened another socket: %v", la.garp.conns)
		}
		return nil
	})
}

// withAddresses runs f in namespace ns with the kernel's Addresses on the
// namespace file descriptor netns (0: ns itself), and fails t with its
// error.
func withAddresses(t *testing.T, ns string, netns int, f func(*linuxAddresses) error) {
	t.Helper()
	err := netnsexec.Do(ns, func() error {
		a, err := New(netns)
		if err != nil {
			return err
		}
		defer a.Close()
		return f(a.(*linuxAddresses))
	})
	if err != nil {
		t.Fatal(err)
	}
}
