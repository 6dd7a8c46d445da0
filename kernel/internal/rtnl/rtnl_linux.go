package rtnl

import (
	"fmt"

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
