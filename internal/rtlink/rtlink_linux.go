// Package rtlink looks a network interface up by name with one rtnetlink
// request on a socket the caller keeps open: the kernel finds the name
// itself. net.InterfaceByName opens a socket of its own and dumps every
// link each time (milliseconds on a slow host) and sees the calling
// thread's namespace rather than the socket's. The VIP addresses
// (kernel/addrs) and the VRRP link watch (vrrp) both use it.
package rtlink

import (
	"errors"
	"fmt"

	"github.com/jsimonetti/rtnetlink/v2"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// ErrNoLink is returned for a name no link has, or none can have.
var ErrNoLink = errors.New("no such link")

// ByName returns the link named name in c's namespace. A missing link, or
// a name that cannot be one (empty, too long), is an error matching
// ErrNoLink; any other error is the socket's.
func ByName(c *rtnetlink.Conn, name string) (*rtnetlink.LinkMessage, error) {
	if name == "" || len(name) >= unix.IFNAMSIZ {
		return nil, fmt.Errorf("%w: %q", ErrNoLink, name)
	}
	msgs, err := c.Execute(&rtnetlink.LinkMessage{Family: unix.AF_UNSPEC, Attributes: &rtnetlink.LinkAttributes{Name: name}},
		unix.RTM_GETLINK, netlink.Request)
	if errors.Is(err, unix.ENODEV) {
		return nil, fmt.Errorf("%w: %s", ErrNoLink, name)
	}
	if err != nil {
		return nil, fmt.Errorf("look up link %s: %w", name, err)
	}
	for _, m := range msgs {
		if lm, ok := m.(*rtnetlink.LinkMessage); ok && lm.Attributes != nil && lm.Attributes.Name == name {
			return lm, nil
		}
	}
	return nil, fmt.Errorf("%w: %s (the kernel's answer names no such link)", ErrNoLink, name)
}
