package addrs

import (
	"errors"
	"fmt"
	"net"
	"slices"

	"github.com/jsimonetti/rtnetlink/v2"
	"golang.org/x/sys/unix"

	"github.com/seesaw-lb/seesaw/internal/rtlink"
	"github.com/seesaw-lb/seesaw/kernel/internal/rtnl"
)

// link returns the interface named ifname as the socket's namespace sees
// it, from one request on the open socket (rtlink): a takeover's adds and
// announcements must not wait for a dump of every link. It takes a.mu.
func (a *linuxAddresses) link(ifname string) (*net.Interface, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.linkLocked(ifname)
}

// linkLocked is link with a.mu held. It keeps what it found (linkCache).
func (a *linuxAddresses) linkLocked(ifname string) (*net.Interface, error) {
	gen := a.links.generation()
	lm, err := rtlink.ByName(a.conn, ifname)
	if errors.Is(err, rtlink.ErrNoLink) {
		return nil, fmt.Errorf("%w: %q", rtnl.ErrNoInterface, ifname)
	}
	if err != nil {
		return nil, err
	}
	ifi := interfaceOf(lm)
	a.links.put(gen, ifi)
	return ifi, nil
}

// keptLinkLocked returns the link named ifname as last looked up, when no
// link notification came since (linkCache), and says so; otherwise it
// looks it up. a.mu is held.
func (a *linuxAddresses) keptLinkLocked(ifname string) (ifi *net.Interface, kept bool, err error) {
	if ifi, ok := a.links.get(ifname); ok {
		return ifi, true, nil
	}
	ifi, err = a.linkLocked(ifname)
	return ifi, false, err
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
