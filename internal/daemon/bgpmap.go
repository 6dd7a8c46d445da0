package daemon

import (
	"github.com/seesaw-lb/seesaw/bgp"
	"github.com/seesaw-lb/seesaw/desired"
)

// bgpConfig maps node.bgp onto the speaker's config.
func bgpConfig(b *desired.BGP) bgp.Config {
	c := bgp.Config{ASN: b.ASN, RouterID: b.RouterID, ListenPort: b.ListenPort,
		Attributes: bgp.Attributes{NextHopIPv4: b.NextHopIPv4, NextHopIPv6: b.NextHopIPv6,
			Communities: b.Communities, MED: b.MED, LocalPref: b.LocalPref, Prepend: b.Prepend}}
	for _, lc := range b.LargeCommunities {
		c.Attributes.LargeCommunities = append(c.Attributes.LargeCommunities, bgp.LargeCommunity(lc))
	}
	for _, p := range b.Peers {
		bp := bgp.Peer{Address: p.Address, Port: p.Port, ASN: p.ASN, LocalAddress: p.LocalAddress,
			Password: p.Password.Value(), MultihopTTL: p.MultihopTTL, HoldTime: p.HoldTime,
			Keepalive: p.Keepalive, Passive: p.Passive, GracefulRestart: p.GracefulRestart}
		if p.BFD != nil {
			bp.BFD = &bgp.BFD{Interval: p.BFD.Interval, Multiplier: p.BFD.Multiplier}
		}
		c.Peers = append(c.Peers, bp)
	}
	return c
}
