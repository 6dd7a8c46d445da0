package vrrp

import (
	"fmt"
	"net/netip"
)

// SetPeers sends to and accepts from peers from now on; nil or empty goes
// back to the multicast group (joined again).
func (c *conn4) SetPeers(peers []netip.Addr) error {
	was, now := c.multicast(), len(peers) == 0
	switch {
	case now && !was:
		if err := c.pc.JoinGroup(c.ifi, ipAddr(GroupIPv4, "")); err != nil {
			return fmt.Errorf("join %s on %s: %w", GroupIPv4, c.ifi.Name, err)
		}
	case was && !now:
		if err := c.pc.LeaveGroup(c.ifi, ipAddr(GroupIPv4, "")); err != nil {
			return fmt.Errorf("leave %s on %s: %w", GroupIPv4, c.ifi.Name, err)
		}
	}
	c.setDsts(peers, GroupIPv4)
	return nil
}

// SetPeers is conn4's for IPv6.
func (c *conn6) SetPeers(peers []netip.Addr) error {
	was, now := c.multicast(), len(peers) == 0
	switch {
	case now && !was:
		if err := c.pc.JoinGroup(c.ifi, ipAddr(GroupIPv6, c.ifi.Name)); err != nil {
			return fmt.Errorf("join %s on %s: %w", GroupIPv6, c.ifi.Name, err)
		}
	case was && !now:
		if err := c.pc.LeaveGroup(c.ifi, ipAddr(GroupIPv6, c.ifi.Name)); err != nil {
			return fmt.Errorf("leave %s on %s: %w", GroupIPv6, c.ifi.Name, err)
		}
	}
	c.setDsts(peers, GroupIPv6)
	return nil
}

// multicast reports whether adverts go to the group.
func (c *rawConn) multicast() bool { return len(c.dsts) == 1 && c.dsts[0].IsMulticast() }

func (c *rawConn) setDsts(peers []netip.Addr, group netip.Addr) {
	if len(peers) == 0 {
		c.dsts = []netip.Addr{group}
		return
	}
	c.dsts = append([]netip.Addr(nil), peers...)
}
