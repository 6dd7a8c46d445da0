package rtnl

import (
	"fmt"
	"net"

	"github.com/jsimonetti/rtnetlink/v2"
	"github.com/mdlayher/netlink"
)

// Dial opens an rtnetlink socket in netns (a namespace file descriptor, 0
// for the current one).
func Dial(netns int) (*rtnetlink.Conn, error) {
	c, err := rtnetlink.Dial(&netlink.Config{NetNS: netns})
	if err != nil {
		return nil, fmt.Errorf("open rtnetlink: %w", err)
	}
	return c, nil
}

// Interface returns the interface named ifname; a missing one is an error
// matching ErrNoInterface.
func Interface(ifname string) (*net.Interface, error) {
	ifi, err := net.InterfaceByName(ifname)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrNoInterface, ifname)
	}
	return ifi, nil
}
