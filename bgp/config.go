package bgp

import (
	"net/netip"
	"time"
)

// Config is the speaker's identity, peers and route attributes.
type Config struct {
	// ASN is the local autonomous system (4-byte).
	ASN uint32
	// RouterID is the BGP identifier (an IPv4 address).
	RouterID netip.Addr
	// ListenPort is the TCP port sessions are accepted on; 0: dial out only.
	ListenPort uint16
	// Attributes go on every announced route.
	Attributes Attributes
	// Peers are the neighbours.
	Peers []Peer
}

// Attributes are the path attributes of every route the speaker announces.
type Attributes struct {
	// NextHopIPv4 and NextHopIPv6 are the next hop per family; zero means
	// the session's local address.
	NextHopIPv4, NextHopIPv6 netip.Addr
	// Communities are RFC 1997 communities (ASN<<16 | value).
	Communities []uint32
	// LargeCommunities are RFC 8092 large communities.
	LargeCommunities []LargeCommunity
	// MED is the MULTI_EXIT_DISC; nil sends none.
	MED *uint32
	// LocalPref is the LOCAL_PREF for iBGP peers; nil: GoBGP's default 100.
	LocalPref *uint32
	// Prepend is how many times ASN is put on the AS path of the route
	// itself; an eBGP peer sees it once more (the speaker adds its own).
	Prepend int
}

// LargeCommunity is GLOBAL:LOCAL1:LOCAL2.
type LargeCommunity struct {
	Global, Local1, Local2 uint32
}

// Peer is one neighbour.
type Peer struct {
	// Address and Port are the neighbour's; Port 0 means 179.
	Address netip.Addr
	Port    uint16
	// ASN is the neighbour's AS; the local ASN makes the session iBGP.
	ASN uint32
	// LocalAddress is the session's source; zero: the kernel's choice.
	LocalAddress netip.Addr
	// Password is the TCP-MD5 key ("" for none).
	Password string
	// MultihopTTL is the eBGP multihop TTL; 0: directly connected.
	MultihopTTL uint8
	// HoldTime and Keepalive are the session timers, whole seconds.
	HoldTime, Keepalive time.Duration
	// Passive waits for the neighbour to connect.
	Passive bool
	// BFD turns on single-hop BFD with these timers; nil: off.
	BFD *BFD
	// GracefulRestart advertises graceful restart with this restart time; 0: off.
	GracefulRestart time.Duration
}

// BFD holds the timers of a BFD session.
type BFD struct {
	Interval   time.Duration
	Multiplier int
}
