package addrs

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/mdlayher/arp"
	"github.com/mdlayher/ndp"

	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/internal/rtnl"
)

// announceTimeout bounds one announcement's socket write. It starts once
// the socket is open: opening and binding a packet socket waits for an RCU
// grace period, which on a loaded host can take longer than the write.
const announceTimeout = time.Second

// Announce implements Addresses: a gratuitous ARP request (sender and target
// both the VIP, broadcast) for IPv4, or an unsolicited neighbour
// advertisement with the override flag to all nodes (ff02::1) for IPv6, so
// neighbours replace the old master's link-layer address at once.
func (a *linuxAddresses) Announce(ctx context.Context, ifname string, addr netip.Addr) error {
	op := "announce " + addr.String() + " on " + ifname
	ifi, err := rtnl.Interface(ifname)
	if err != nil {
		return &kernel.OpError{Op: op, Err: err}
	}
	deadline := func() time.Time {
		d := time.Now().Add(announceTimeout)
		if cd, ok := ctx.Deadline(); ok && cd.Before(d) {
			d = cd
		}
		return d
	}
	if addr.Unmap().Is4() {
		err = gratuitousARP(ctx, ifi, addr.Unmap(), deadline)
	} else {
		err = unsolicitedNA(ctx, ifi, addr, deadline)
	}
	if err != nil {
		return &kernel.OpError{Op: op, Err: err}
	}
	return nil
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

func gratuitousARP(ctx context.Context, ifi *net.Interface, addr netip.Addr, deadline func() time.Time) error {
	c, err := arp.Dial(ifi)
	if err != nil {
		return fmt.Errorf("open ARP socket: %w", err)
	}
	defer c.Close()
	release, err := writeUntil(ctx, deadline(), c.SetWriteDeadline)
	if err != nil {
		return err
	}
	defer release()
	zero := net.HardwareAddr{0, 0, 0, 0, 0, 0}
	p, err := arp.NewPacket(arp.OperationRequest, ifi.HardwareAddr, addr, zero, addr)
	if err != nil {
		return err
	}
	return c.WriteTo(p, net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
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
