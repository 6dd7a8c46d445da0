package desired

import (
	"net/netip"
	"time"
)

// BGP is the `node.bgp` section: the BGP speaker that announces the node's
// anycast VIPs to routers, each as a /32 or /128, while the node can serve
// it (route health injection). Nil means no BGP.
type BGP struct {
	// ASN is the local autonomous system number (4-byte).
	ASN uint32
	// RouterID is the BGP identifier, an IPv4 address unique among the peers.
	RouterID netip.Addr
	// ListenPort is the TCP port to accept sessions on; 0 means dial out only.
	ListenPort uint16
	// Announce holds the prefixes whose VIPs are announced; VIPs outside
	// them (a VRRP pair's, say) are never announced.
	Announce []netip.Prefix
	// Interface, when set, makes the VIPs inside Announce anycast VIPs:
	// they are held on this interface (a dummy the daemon creates if it is
	// missing, without ARP) whether or not the node is VRRP master, and
	// never announced by gratuitous ARP; the BGP route alone brings their
	// traffic. Empty: they stay on their service's interface and follow
	// VRRP like every other VIP.
	Interface string
	// NextHopIPv4 and NextHopIPv6 are the next hops announced for each
	// family; a zero address means the session's local address.
	NextHopIPv4, NextHopIPv6 netip.Addr
	// Communities are RFC 1997 communities, each ASN<<16 | value.
	Communities []uint32
	// LargeCommunities are RFC 8092 large communities.
	LargeCommunities []LargeCommunity
	// MED is the multi-exit discriminator; nil sends none.
	MED *uint32
	// LocalPref is the LOCAL_PREF sent to iBGP peers; nil sends the default (100).
	LocalPref *uint32
	// Prepend is how many extra times the local ASN is put on the AS path,
	// which makes the node a standby for routers that compare path lengths.
	Prepend int
	// ShutdownGrace is how long a stopping daemon waits after withdrawing
	// every route before it closes the sessions and exits.
	ShutdownGrace time.Duration
	// Peers are the routers to peer with.
	Peers []BGPPeer
}

// LargeCommunity is an RFC 8092 large community GLOBAL:LOCAL1:LOCAL2.
type LargeCommunity struct {
	Global, Local1, Local2 uint32
}

// BGPPeer is one BGP neighbour.
type BGPPeer struct {
	// Address is the neighbour's address; IPv4 and IPv6 sessions both carry
	// IPv4 and IPv6 routes (MP-BGP).
	Address netip.Addr
	// ASN is the neighbour's autonomous system; equal to BGP.ASN means iBGP.
	ASN uint32
	// Port is the neighbour's TCP port.
	Port uint16
	// LocalAddress is the source address of the session; zero lets the kernel choose.
	LocalAddress netip.Addr
	// Password is the TCP-MD5 (RFC 2385) key, read from a file; zero: none.
	Password Secret
	// MultihopTTL is the TTL of an eBGP session to a neighbour that is not
	// directly connected; 0 means directly connected (TTL 1).
	MultihopTTL uint8
	// HoldTime is the proposed hold time; 0 disables keepalives.
	HoldTime time.Duration
	// Keepalive is the keepalive interval (default: a third of HoldTime).
	Keepalive time.Duration
	// Passive waits for the neighbour to connect instead of dialling.
	Passive bool
	// BFD enables single-hop BFD (RFC 5881) with these timers; nil: off.
	BFD *BFD
	// GracefulRestart advertises graceful restart (RFC 4724) with this
	// restart time; 0 means off.
	GracefulRestart time.Duration
}

// BFD holds the timers of a BFD session.
type BFD struct {
	// Interval is both the desired transmit and the required receive interval.
	Interval time.Duration
	// Multiplier is how many missed packets declare the session down.
	Multiplier int
}

// IBGP reports whether the peer is in the local AS.
func (p BGPPeer) IBGP(local uint32) bool { return p.ASN == local }

// AnycastVIP reports whether vip is an anycast VIP of the node: node.bgp
// has an interface and vip lies in node.bgp.announce. Anycast VIPs are
// held on that interface independent of VRRP mastership.
func (n Node) AnycastVIP(vip netip.Addr) bool {
	return n.BGP != nil && n.BGP.Interface != "" && n.BGP.Announces(vip)
}

// Announces reports whether vip lies in one of the announced prefixes.
func (b *BGP) Announces(vip netip.Addr) bool {
	for _, p := range b.Announce {
		if p.Contains(vip) {
			return true
		}
	}
	return false
}
