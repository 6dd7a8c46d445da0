package addrs

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os/exec"
	"slices"
	"testing"
	"time"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// ipIn runs ip with args in namespace ns.
func ipIn(ns string, args ...string) error {
	if out, err := exec.Command("ip", append([]string{"-n", ns}, args...)...).CombinedOutput(); err != nil {
		return fmt.Errorf("ip -n %s %v: %v: %s", ns, args, err, out)
	}
	return nil
}

// withD0 makes the namespaces of vethPair and, in the first, a second
// interface d0 (a veth whose peer is d0p), up, and returns that namespace.
func withD0(t *testing.T) string {
	t.Helper()
	requireNetns(t)
	nsA, _ := vethPair(t)
	ipCmd(t, "-n", nsA, "link", "add", "d0", "type", "veth", "peer", "name", "d0p")
	ipCmd(t, "-n", nsA, "link", "set", "d0", "up")
	return nsA
}

// forgotten waits (at most 2 s) until la keeps no link named name.
func forgotten(la *linuxAddresses, name string) error {
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if _, ok := la.links.get(name); !ok {
			return nil
		}
	}
	return fmt.Errorf("link %s still kept 2 s after a link notification", name)
}

// TestKeptLinkIsClearedByALinkChangeInNetns: preparing an interface keeps
// its link, and a link notification (a rename here) clears it, so that a
// later add to the old name finds no interface rather than adding to the
// renamed one; the next preparation keeps the new link of the name.
func TestKeptLinkIsClearedByALinkChangeInNetns(t *testing.T) {
	nsA := withD0(t)
	ctx := context.Background()
	p := netip.MustParsePrefix("192.0.2.10/32")
	withAddresses(t, nsA, 0, func(la *linuxAddresses) error {
		if err := la.PrepareAnnounce(ctx, "d0"); err != nil {
			return err
		}
		old, ok := la.links.get("d0")
		if !ok {
			return errors.New("d0 not kept after PrepareAnnounce")
		}
		if err := ipIn(nsA, "link", "set", "d0", "down"); err != nil {
			return err
		}
		if err := ipIn(nsA, "link", "set", "d0", "name", "d1"); err != nil {
			return err
		}
		if err := forgotten(la, "d0"); err != nil {
			return err
		}
		errs, _ := la.AddAllAnnounce(ctx, "d0", []netip.Prefix{p}, []bool{true})
		if !errors.Is(errs[0], ErrNoInterface) {
			return fmt.Errorf("add to d0 after its rename: %v, want ErrNoInterface", errs[0])
		}
		if got, err := la.List(ctx, "d1"); err != nil || slices.Contains(got, p) {
			return fmt.Errorf("d1 (renamed d0) holds %v (%v), want no %s", got, err, p)
		}
		if err := ipIn(nsA, "link", "add", "d0", "type", "veth", "peer", "name", "d0q"); err != nil {
			return err
		}
		if err := forgotten(la, "d0"); err != nil {
			return err
		}
		if err := la.PrepareAnnounce(ctx, "d0"); err != nil {
			return err
		}
		if now, ok := la.links.get("d0"); !ok || now.Index == old.Index {
			return fmt.Errorf("kept d0 %+v after the new one was prepared, want a new index (old %d)", now, old.Index)
		}
		return nil
	})
}

// TestAddsLookAgainWhenTheKeptLinkIsGoneInNetns: an add through a kept
// link the kernel no longer has (a notification not yet handled) looks the
// name up and adds to the interface that now has it.
func TestAddsLookAgainWhenTheKeptLinkIsGoneInNetns(t *testing.T) {
	nsA := withD0(t)
	ctx := context.Background()
	p := netip.MustParsePrefix("192.0.2.11/32")
	withAddresses(t, nsA, 0, func(la *linuxAddresses) error {
		if err := la.PrepareAnnounce(ctx, "d0"); err != nil {
			return err
		}
		stale, _ := la.links.get("d0")
		for _, args := range [][]string{{"link", "del", "d0"}, {"link", "add", "d0", "type", "veth", "peer", "name", "d0p"}, {"link", "set", "d0", "up"}} {
			if err := ipIn(nsA, args...); err != nil {
				return err
			}
		}
		if err := forgotten(la, "d0"); err != nil {
			return err
		}
		la.links.put(la.links.generation(), stale)
		errs, sent := la.AddAllAnnounce(ctx, "d0", []netip.Prefix{p}, []bool{true})
		if errs[0] != nil || !sent[0] {
			return fmt.Errorf("add through a stale kept link: %v (announced %v), want it added and announced", errs[0], sent[0])
		}
		if got, err := la.List(ctx, "d0"); err != nil || !slices.Contains(got, p) {
			return fmt.Errorf("new d0 holds %v (%v), want %s", got, err, p)
		}
		if now, ok := la.links.get("d0"); ok && now.Index == stale.Index {
			return fmt.Errorf("still keeps the gone link %d", stale.Index)
		}
		return nil
	})
}

// TestDeletedInterfaceClosesItsARPSocketInNetns: the announcement socket
// kept for an interface is closed when the kernel reports the interface
// deleted; the other interfaces' sockets stay.
func TestDeletedInterfaceClosesItsARPSocketInNetns(t *testing.T) {
	nsA := withD0(t)
	ctx := context.Background()
	withAddresses(t, nsA, 0, func(la *linuxAddresses) error {
		for _, name := range []string{"d0", "va"} {
			if err := la.PrepareAnnounce(ctx, name); err != nil {
				return err
			}
		}
		d0, err := la.link("d0")
		if err != nil {
			return err
		}
		va, err := la.link("va")
		if err != nil {
			return err
		}
		open := func(idx int) bool {
			la.garp.mu.Lock()
			defer la.garp.mu.Unlock()
			return la.garp.conns[idx] != nil
		}
		if !open(d0.Index) || !open(va.Index) {
			return errors.New("no ARP socket kept after PrepareAnnounce")
		}
		if err := ipIn(nsA, "link", "del", "d0"); err != nil {
			return err
		}
		for deadline := time.Now().Add(2 * time.Second); open(d0.Index); time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				return fmt.Errorf("ARP socket of deleted d0 (index %d) still open 2 s later", d0.Index)
			}
		}
		if !open(va.Index) {
			return errors.New("va's ARP socket closed by d0's deletion")
		}
		return nil
	})
}

// TestDeletedLinks: only RTM_DELLINK messages long enough to hold an
// ifinfomsg name a deleted index.
func TestDeletedLinks(t *testing.T) {
	info := func(idx int32) []byte {
		b := make([]byte, unix.SizeofIfInfomsg)
		binary.NativeEndian.PutUint32(b[4:8], uint32(idx))
		return b
	}
	msgs := []netlink.Message{
		{Header: netlink.Header{Type: unix.RTM_NEWLINK}, Data: info(3)},
		{Header: netlink.Header{Type: unix.RTM_DELLINK}, Data: info(7)},
		{Header: netlink.Header{Type: unix.RTM_DELLINK}, Data: info(7)[:8]},
		{Header: netlink.Header{Type: unix.RTM_DELLINK}, Data: info(12)},
	}
	if got := deletedLinks(msgs); !slices.Equal(got, []int{7, 12}) {
		t.Fatalf("deletedLinks = %v, want [7 12]", got)
	}
}
