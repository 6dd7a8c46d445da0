package vrrp

import (
	"fmt"
	"net/netip"
)

// SetPeers sends to and accepts from peers from now on; nil or empty goes
// back to the multicast group (joined again).
func (c *conn4) SetPeers(peers []netip.Addr) error {
	if err := c.checkPeers(peers); err != nil {
		return err
	}
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
	return c.setDsts(peers, GroupIPv4)
}

// SetPeers is conn4's for IPv6.
func (c *conn6) SetPeers(peers []netip.Addr) error {
	if err := c.checkPeers(peers); err != nil {
		return err
	}
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
	return c.setDsts(peers, GroupIPv6)
}

// multicast reports whether adverts go to the group.
func (c *rawConn) multicast() bool { return len(c.dsts) == 1 && c.dsts[0].IsMulticast() }

// checkPeers refuses more peers than the advert sender process takes,
// before anything changes.
func (c *rawConn) checkPeers(peers []netip.Addr) error {
	if c.proc != nil && len(peers) > maxSenderDsts {
		return fmt.Errorf("set %d vrrp peers on %s: the advert sender process takes at most %d", len(peers), c.ifi.Name, maxSenderDsts)
	}
	return nil
}

// setDsts points every send path at peers, or the group: Send and the
// kernel-timed SendAt read dsts, and the advert sender process and the
// timing thread get their own copies.
func (c *rawConn) setDsts(peers []netip.Addr, group netip.Addr) error {
	if len(peers) == 0 {
		c.dsts = []netip.Addr{group}
	} else {
		c.dsts = append([]netip.Addr(nil), peers...)
	}
	if c.proc != nil {
		if err := c.proc.setPeers(c.dsts); err != nil {
			return fmt.Errorf("set vrrp peers on %s: %w", c.ifi.Name, err)
		}
	}
	if c.thread != nil {
		c.thread.setPeers(c.dsts)
	}
	return nil
}
