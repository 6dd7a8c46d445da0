package vrrp

import (
	"net/netip"
	"time"
)

// A router whose adverts carry another Max Advertise Interval than this
// node's is most likely misconfigured: RFC 9568 has a Backup follow the
// Master's interval (6.4.2), so nothing breaks, but failover then takes
// three of the Master's intervals, not of this node's. keepalived logs
// the mismatch too. The node logs it once per router and interval, when
// it is first seen and whenever it changes.

// intervalSeen is the interval last logged for a router, in centiseconds.
// It holds at most maxIntervalSeen routers: adverts from more sources than
// a virtual router has (spoofed on the link) are not logged.
type intervalSeen map[netip.Addr]uint16

const maxIntervalSeen = 64

// differs reports whether an advert from src with interval iv should be
// logged as a mismatch against mine, and records it: true the first time
// src sends an interval other than mine, and each time that interval
// changes. An advert with mine forgets src.
func (s intervalSeen) differs(src netip.Addr, iv uint16, mine time.Duration) bool {
	if time.Duration(iv)*10*time.Millisecond == mine {
		delete(s, src)
		return false
	}
	last, ok := s[src]
	if ok && last == iv || !ok && len(s) >= maxIntervalSeen {
		return false
	}
	s[src] = iv
	return true
}

// noteInterval logs an advert whose interval is not this node's (see
// intervalSeen). Priority-0 adverts are left out: a leaving router's
// interval no longer matters.
func (n *Node) noteInterval(r received) {
	if r.adv.Priority == 0 || !n.intervals.differs(r.src, r.adv.Interval, n.cfg.AdvertInterval) {
		return
	}
	n.log.Warn("vrrp advert interval differs from this router's; a Backup follows the Master's (RFC 9568)",
		"src", r.src, "interval", time.Duration(r.adv.Interval)*10*time.Millisecond, "configured", n.cfg.AdvertInterval)
}
