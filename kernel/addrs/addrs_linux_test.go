package addrs

import (
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"testing"
	"time"

	"github.com/mdlayher/arp"
	"github.com/mdlayher/packet"
	"github.com/seesaw-lb/seesaw/internal/testenv"
	"golang.org/x/sys/unix"

	"github.com/seesaw-lb/seesaw/internal/netnsexec"
)

// requireNetns skips unless SEESAW_NETNS=1; with it, missing root or ip(8)
// is a failure.
func requireNetns(t *testing.T) {
	t.Helper()
	testenv.RequireNetNS(t)
}

func ipCmd(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
		t.Fatalf("ip %v: %v: %s", args, err, out)
	}
}

// vethPair creates namespaces a and b joined by veth va (in a) - vb (in b), both up.
func vethPair(t *testing.T) (nsA, nsB string) {
	nsA, nsB = fmt.Sprintf("seesaw-a-%d", os.Getpid()), fmt.Sprintf("seesaw-b-%d", os.Getpid())
	for _, ns := range []string{nsA, nsB} {
		ipCmd(t, "netns", "add", ns)
		t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	}
	ipCmd(t, "-n", nsA, "link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", nsB)
	ipCmd(t, "-n", nsA, "link", "set", "va", "up")
	ipCmd(t, "-n", nsB, "link", "set", "vb", "up")
	return nsA, nsB
}

// capture listens on ifname in ns and returns a channel that receives the
// first frame accepted by match (or an error), plus a ready signal.
func capture(ns, ifname string, match func(ethertype uint16, payload []byte) bool) (<-chan error, <-chan struct{}) {
	done, ready := make(chan error, 1), make(chan struct{})
	go func() {
		done <- netnsexec.Do(ns, func() error {
			ifi, err := net.InterfaceByName(ifname)
			if err != nil {
				close(ready)
				return err
			}
			c, err := packet.Listen(ifi, packet.Raw, unix.ETH_P_ALL, nil)
			close(ready)
			if err != nil {
				return err
			}
			defer c.Close()
			c.SetReadDeadline(time.Now().Add(10 * time.Second))
			buf := make([]byte, 2048)
			for {
				n, _, err := c.ReadFrom(buf)
				if err != nil {
					return fmt.Errorf("no matching frame on %s: %w", ifname, err)
				}
				if n >= 14 && match(binary.BigEndian.Uint16(buf[12:14]), buf[14:n]) {
					return nil
				}
			}
		})
	}()
	return done, ready
}

func TestAddressesAndAnnounceInNetns(t *testing.T) {
	requireNetns(t)
	nsA, nsB := vethPair(t)
	vip4, vip6 := netip.MustParsePrefix("192.0.2.10/32"), netip.MustParsePrefix("2001:db8:10::10/128")

	garp, ready4 := capture(nsB, "vb", func(et uint16, p []byte) bool {
		var a arp.Packet
		return et == unix.ETH_P_ARP && a.UnmarshalBinary(p) == nil &&
			a.SenderIP == vip4.Addr() && a.TargetIP == vip4.Addr()
	})
	na, ready6 := capture(nsB, "vb", func(et uint16, p []byte) bool {
		// IPv6 header (40 bytes), ICMPv6 type 136, target address at 8..24.
		return et == unix.ETH_P_IPV6 && len(p) >= 64 && p[6] == 58 && p[40] == 136 &&
			netip.AddrFrom16([16]byte(p[48:64])) == vip6.Addr()
	})
	<-ready4
	<-ready6

	err := netnsexec.Do(nsA, func() error {
		ctx := context.Background()
		a, err := New(0)
		if err != nil {
			return err
		}
		defer a.Close()
		for _, p := range []netip.Prefix{vip4, vip6} {
			for range 2 { // the second add is a no-op, not an error
				if err := a.Add(ctx, "va", p); err != nil {
					return err
				}
			}
		}
		got, err := a.List(ctx, "va")
		if err != nil {
			return err
		}
		if !slices.Contains(got, vip4) || !slices.Contains(got, vip6) {
			return fmt.Errorf("addresses of va = %v, want %v and %v", got, vip4, vip6)
		}
		for _, p := range []netip.Prefix{vip4, vip6} {
			if err := a.Announce(ctx, "va", p.Addr()); err != nil {
				return err
			}
		}
		if err := a.Delete(ctx, "va", vip4); err != nil {
			return err
		}
		if err := a.Delete(ctx, "va", vip4); err != nil {
			return fmt.Errorf("deleting an absent address: %w", err)
		}
		got, _ = a.List(ctx, "va")
		if slices.Contains(got, vip4) {
			return fmt.Errorf("%v still on va after delete: %v", vip4, got)
		}
		if err := a.Add(ctx, "nosuch0", vip4); err == nil {
			return fmt.Errorf("add to a missing interface succeeded")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := <-garp; err != nil {
		t.Fatalf("gratuitous ARP: %v", err)
	}
	if err := <-na; err != nil {
		t.Fatalf("unsolicited NA: %v", err)
	}
}
