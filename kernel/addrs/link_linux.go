package addrs

import (
	"errors"
	"fmt"
	"net"
	"slices"

	"github.com/jsimonetti/rtnetlink/v2"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"

	"github.com/seesaw-lb/seesaw/kernel/internal/rtnl"
)

// link returns the interface named ifname as the socket's namespace sees
// it, from one request on the open socket: the kernel looks the name up
// itself. net.InterfaceByName opens a socket of its own and dumps every
// link (tens of milliseconds on a slow host, where a takeover must not
// wait) and sees the calling thread's namespace, not necessarily the
// socket's. It takes a.mu.
func (a *linuxAddresses) link(ifname string) (*net.Interface, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.linkLocked(ifname)
}

// linkLocked is link with a.mu held.
func (a *linuxAddresses) linkLocked(ifname string) (*net.Interface, error) {
	if ifname == "" || len(ifname) >= unix.IFNAMSIZ {
		return nil, fmt.Errorf("%w: %q", rtnl.ErrNoInterface, ifname)
	}
	msgs, err := a.conn.Execute(&rtnetlink.LinkMessage{Family: unix.AF_UNSPEC, Attributes: &rtnetlink.LinkAttributes{Name: ifname}},
		unix.RTM_GETLINK, netlink.Request)
	if errors.Is(err, unix.ENODEV) {
		return nil, fmt.Errorf("%w: %s", rtnl.ErrNoInterface, ifname)
	}
	if err != nil {
		return nil, fmt.Errorf("look up interface %s: %w", ifname, err)
	}
	for _, m := range msgs {
		if lm, ok := m.(*rtnetlink.LinkMessage); ok && lm.Attributes != nil && lm.Attributes.Name == ifname {
			return interfaceOf(lm), nil
		}
	}
	return nil, fmt.Errorf("%w: %s (the kernel's answer names no such link)", rtnl.ErrNoInterface, ifname)
}

// interfaceOf converts a link message as the net package would.
func interfaceOf(lm *rtnetlink.LinkMessage) *net.Interface {
	ifi := &net.Interface{Index: int(lm.Index), Name: lm.Attributes.Name, MTU: int(lm.Attributes.MTU)}
	if slices.ContainsFunc(lm.Attributes.Address, func(b byte) bool { return b != 0 }) { // all zero: none, as net says
		ifi.HardwareAddr = net.HardwareAddr(lm.Attributes.Address)
	}
	for _, f := range []struct {
		unix uint32
		net  net.Flags
	}{
		{unix.IFF_UP, net.FlagUp},
		{unix.IFF_BROADCAST, net.FlagBroadcast},
		{unix.IFF_LOOPBACK, net.FlagLoopback},
		{unix.IFF_POINTOPOINT, net.FlagPointToPoint},
		{unix.IFF_MULTICAST, net.FlagMulticast},
		{unix.IFF_RUNNING, net.FlagRunning},
	} {
		if lm.Flags&f.unix != 0 {
			ifi.Flags |= f.net
		}
	}
	return ifi
}
