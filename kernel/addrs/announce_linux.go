package addrs

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/mdlayher/ndp"

	"github.com/seesaw-lb/seesaw/kernel"
)

// announceTimeout bounds one IPv6 announcement's socket write. It starts
// once the socket is open: opening and binding a socket of its kind waits
// for an RCU grace period, which on a loaded host can take longer than the
// write. (IPv4 announcements leave from kept sockets without waiting:
// garpSockets.)
const announceTimeout = time.Second

// Announce implements Addresses: a gratuitous ARP request (sender and target
// both the VIP, broadcast) for IPv4, or an unsolicited neighbour
// advertisement with the override flag to all nodes (ff02::1) for IPv6, so
// neighbours replace the old master's link-layer address at once.
func (a *linuxAddresses) Announce(ctx context.Context, ifname string, addr netip.Addr) error {
	return a.AnnounceAll(ctx, ifname, []netip.Addr{addr})[0]
}

// AnnounceAll implements BatchAnnouncer: Announce for each of as, with one
// interface lookup, and the IPv4 ones from the interface's kept ARP socket
// (garpSockets), one frame after the other.
func (a *linuxAddresses) AnnounceAll(ctx context.Context, ifname string, as []netip.Addr) []error {
	errs := make([]error, len(as))
	opErr := func(addr netip.Addr, err error) error {
		return &kernel.OpError{Op: "announce " + addr.String() + " on " + ifname, Err: err}
	}
	ifi, err := a.link(ifname)
	if err != nil {
		for i, addr := range as {
			errs[i] = opErr(addr, err)
		}
		return errs
	}
	var v4 []netip.Addr
	var at []int
	for i, addr := range as {
		if addr.Unmap().Is4() {
			v4, at = append(v4, addr.Unmap()), append(at, i)
			continue
		}
		deadline := time.Now().Add(announceTimeout)
		if cd, ok := ctx.Deadline(); ok && cd.Before(deadline) {
			deadline = cd
		}
		if err := unsolicitedNA(ctx, ifi, addr, func() time.Time { return deadline }); err != nil {
			errs[i] = opErr(addr, err)
		}
	}
	if len(v4) > 0 {
		for n, err := range a.garp.send(ifi, v4) {
			if err != nil {
				errs[at[n]] = opErr(as[at[n]], err)
			}
		}
	}
	return errs
}

// writeUntil sets the write deadline of a socket and moves it to now when
// ctx ends, so that a cancelled announcement stops at once; the returned
// func releases the watch.
func writeUntil(ctx context.Context, deadline time.Time, set func(time.Time) error) (func() bool, error) {
	if err := set(deadline); err != nil {
		return nil, err
	}
	return context.AfterFunc(ctx, func() { set(time.Now()) }), nil
}

func unsolicitedNA(ctx context.Context, ifi *net.Interface, addr netip.Addr, deadline func() time.Time) error {
	c, _, err := ndp.Listen(ifi, ndp.Addr(addr.String()))
	if err != nil {
		return fmt.Errorf("open ICMPv6 socket: %w", err)
	}
	defer c.Close()
	release, err := writeUntil(ctx, deadline(), c.SetWriteDeadline)
	if err != nil {
		return err
	}
	defer release()
	na := &ndp.NeighborAdvertisement{Override: true, TargetAddress: addr,
		Options: []ndp.Option{&ndp.LinkLayerAddress{Direction: ndp.Target, Addr: ifi.HardwareAddr}}}
	return c.WriteTo(na, nil, netip.IPv6LinkLocalAllNodes())
}
