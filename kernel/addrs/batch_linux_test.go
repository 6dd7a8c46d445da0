package addrs

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"testing"

	"github.com/mdlayher/arp"
	"golang.org/x/sys/unix"

	"github.com/seesaw-lb/seesaw/internal/netnsexec"
)

// TestDeleteAllInNetns: AddAll adds every address of the batch, one
// already there included (no error); DeleteAll removes every address of
// the batch, one already gone included; both report a missing interface
// for each address.
func TestDeleteAllInNetns(t *testing.T) {
	requireNetns(t)
	nsA, _ := vethPair(t)
	ps := []netip.Prefix{netip.MustParsePrefix("192.0.2.10/32"), netip.MustParsePrefix("192.0.2.11/32"),
		netip.MustParsePrefix("2001:db8:10::10/128")}
	err := netnsexec.Do(nsA, func() error {
		ctx := context.Background()
		a, err := New(0)
		if err != nil {
			return err
		}
		defer a.Close()
		if err := a.Add(ctx, "va", ps[0]); err != nil { // already there for AddAll: no error
			return err
		}
		for i, err := range a.(BatchAdder).AddAll(ctx, "va", ps[:2]) { // ps[2] never added: already gone
			if err != nil {
				return fmt.Errorf("add %v: %w", ps[i], err)
			}
		}
		if got, err := a.List(ctx, "va"); err != nil || !slices.Contains(got, ps[0]) || !slices.Contains(got, ps[1]) {
			return fmt.Errorf("after AddAll, va has %v (%v), want %v", got, err, ps[:2])
		}
		if errs := a.(BatchAdder).AddAll(ctx, "nosuch0", ps); len(errs) != len(ps) || errs[2] == nil {
			return fmt.Errorf("AddAll on a missing interface: %v", errs)
		}
		for i, err := range a.(BatchDeleter).DeleteAll(ctx, "va", ps) {
			if err != nil {
				return fmt.Errorf("delete %v: %w", ps[i], err)
			}
		}
		got, err := a.List(ctx, "va")
		if err != nil {
			return err
		}
		for _, p := range got {
			for _, q := range ps {
				if p == q {
					return fmt.Errorf("%v still on va after DeleteAll: %v", q, got)
				}
			}
		}
		errs := a.(BatchDeleter).DeleteAll(ctx, "nosuch0", ps)
		if len(errs) != len(ps) || errs[0] == nil {
			return fmt.Errorf("missing interface: %v", errs)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestAnnounceAllInNetns: AnnounceAll sends a gratuitous ARP for each
// IPv4 address of the batch from va's kept socket, and the peer sees
// each, twice when announced twice; a missing interface is an error for
// each address.
func TestAnnounceAllInNetns(t *testing.T) {
	requireNetns(t)
	nsA, nsB := vethPair(t)
	vips := []netip.Addr{netip.MustParseAddr("192.0.2.10"), netip.MustParseAddr("192.0.2.11")}
	var done [2]<-chan error
	for i, vip := range vips {
		n := 0
		var ready <-chan struct{}
		done[i], ready = capture(nsB, "vb", func(et uint16, p []byte) bool {
			var a arp.Packet
			if et != unix.ETH_P_ARP || a.UnmarshalBinary(p) != nil || a.SenderIP != vip || a.TargetIP != vip {
				return false
			}
			n++
			return n == 2
		})
		<-ready
	}
	err := netnsexec.Do(nsA, func() error {
		ctx := context.Background()
		a, err := New(0)
		if err != nil {
			return err
		}
		defer a.Close()
		for range 2 {
			for i, err := range a.(BatchAnnouncer).AnnounceAll(ctx, "va", vips) {
				if err != nil {
					return fmt.Errorf("announce %v: %w", vips[i], err)
				}
			}
		}
		if errs := a.(BatchAnnouncer).AnnounceAll(ctx, "nosuch0", vips); len(errs) != 2 || errs[0] == nil || errs[1] == nil {
			return fmt.Errorf("AnnounceAll on a missing interface: %v", errs)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range vips {
		if err := <-done[i]; err != nil {
			t.Fatalf("gratuitous ARP for %v, twice: %v", vips[i], err)
		}
	}
}

// TestAddAllAnnounceInNetns: AddAllAnnounce adds every address, then sends
// the gratuitous ARP of each IPv4 one asked for (the peer sees it), and
// leaves the IPv6 one and the one not asked for unannounced.
func TestAddAllAnnounceInNetns(t *testing.T) {
	requireNetns(t)
	nsA, nsB := vethPair(t)
	ps := []netip.Prefix{netip.MustParsePrefix("192.0.2.20/32"), netip.MustParsePrefix("192.0.2.21/32"),
		netip.MustParsePrefix("192.0.2.22/32"), netip.MustParsePrefix("2001:db8:10::20/128")}
	seen, ready := capture(nsB, "vb", func(et uint16, p []byte) bool {
		var a arp.Packet
		return et == unix.ETH_P_ARP && a.UnmarshalBinary(p) == nil && a.SenderIP == ps[1].Addr() && a.TargetIP == ps[1].Addr()
	})
	<-ready
	err := netnsexec.Do(nsA, func() error {
		ctx := context.Background()
		a, err := New(0)
		if err != nil {
			return err
		}
		defer a.Close()
		errs, sent := a.(AddAnnouncer).AddAllAnnounce(ctx, "va", ps, []bool{true, true, false, true})
		for i, err := range errs {
			if err != nil {
				return fmt.Errorf("add %v: %w", ps[i], err)
			}
		}
		if want := []bool{true, true, false, false}; !slices.Equal(sent, want) {
			return fmt.Errorf("sent %v, want %v (IPv4 asked for only)", sent, want)
		}
		got, err := a.List(ctx, "va")
		if err != nil {
			return err
		}
		for _, p := range ps {
			if !slices.Contains(got, p) {
				return fmt.Errorf("va has %v, want %v among them", got, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := <-seen; err != nil {
		t.Fatalf("gratuitous ARP for %v: %v", ps[1].Addr(), err)
	}
}
