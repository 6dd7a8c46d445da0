package desired

import (
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Limits of the BGP settings.
const (
	asTrans          = 23456 // RFC 6793's stand-in for 4-byte ASNs on 2-byte speakers
	maxPrepend       = 10
	minHoldTime      = 3 * time.Second // RFC 4271: 0 or at least 3 seconds
	maxHoldTime      = 65535 * time.Second
	maxRestartTime   = 4095 * time.Second // 12 bits in the capability
	maxShutdownGrace = 10 * time.Minute
	minBFDInterval   = 10 * time.Millisecond
)

// decodeBGP decodes `node.bgp`.
func (d *decoder) decodeBGP(n *yaml.Node, path string) BGP {
	b := defaultBGP()
	var localPrefN *yaml.Node
	hasASN, hasRouterID := false, false
	ok := d.mapping(n, path, func(k string, v *yaml.Node) bool {
		p := key(path, k)
		switch k {
		case "asn":
			b.ASN, hasASN = d.asn(v, p), true
		case "router_id":
			b.RouterID, hasRouterID = d.addrFamily(v, p, false), true
		case "listen_port":
			lp, _ := d.integer(v, p, 0, math.MaxUint16)
			b.ListenPort = uint16(lp)
		case "announce":
			d.sequence(v, p, func(i int, e *yaml.Node) {
				if pf := d.prefix(e, index(p, i)); pf.IsValid() {
					b.Announce = append(b.Announce, pf)
				}
			})
		case "interface":
			b.Interface = d.interfaceName(v, p)
		case "next_hop_ipv4":
			b.NextHopIPv4 = d.addrFamily(v, p, false)
		case "next_hop_ipv6":
			b.NextHopIPv6 = d.addrFamily(v, p, true)
		case "communities":
			d.sequence(v, p, func(i int, e *yaml.Node) {
				if c, ok := d.community(e, index(p, i)); ok {
					b.Communities = append(b.Communities, c)
				}
			})
		case "large_communities":
			d.sequence(v, p, func(i int, e *yaml.Node) {
				if c, ok := d.largeCommunity(e, index(p, i)); ok {
					b.LargeCommunities = append(b.LargeCommunities, c)
				}
			})
		case "med":
			if m, ok := d.integer(v, p, 0, math.MaxUint32); ok {
				med := uint32(m)
				b.MED = &med
			}
		case "local_pref":
			if m, ok := d.integer(v, p, 0, math.MaxUint32); ok {
				lp := uint32(m)
				b.LocalPref, localPrefN = &lp, v
			}
		case "as_path_prepend":
			pp, _ := d.integer(v, p, 0, maxPrepend)
			b.Prepend = int(pp)
		case "shutdown_grace":
			b.ShutdownGrace = d.durationMax(v, p, maxShutdownGrace)
		case "peers":
			b.Peers = d.bgpPeers(v, p)
		default:
			return false
		}
		return true
	})
	if !ok {
		return b
	}
	if !hasASN {
		d.errorf(n, key(path, "asn"), "missing: the local autonomous system number")
	}
	if !hasRouterID {
		d.errorf(n, key(path, "router_id"), "missing: the BGP identifier, an IPv4 address unique among the peers")
	}
	if len(b.Announce) == 0 {
		d.errorf(n, key(path, "announce"), "missing: the prefixes whose VIPs are announced (like [192.0.2.0/24])")
	}
	if len(b.Peers) == 0 {
		d.errorf(n, key(path, "peers"), "missing: at least one router to peer with")
	}
	d.checkLocalPref(&b, localPrefN, key(path, "local_pref"))
	if b.ListenPort == 0 {
		for i, p := range b.Peers {
			if p.Passive {
				d.errorf(n, index(key(path, "peers"), i), "peer %s is passive but listen_port is 0: nothing would ever connect", p.Address)
			}
		}
	}
	return b
}

// checkLocalPref refuses a local_pref no peer would receive: LOCAL_PREF
// is only sent inside the AS.
func (d *decoder) checkLocalPref(b *BGP, n *yaml.Node, path string) {
	if n == nil || b.ASN == 0 || len(b.Peers) == 0 {
		return
	}
	for _, p := range b.Peers {
		if p.IBGP(b.ASN) {
			return
		}
	}
	d.errorf(n, path, "local_pref is only sent to iBGP peers and no peer has asn %d; use med towards eBGP routers", b.ASN)
}

// bgpPeers decodes `node.bgp.peers`, refusing a neighbour listed twice.
func (d *decoder) bgpPeers(n *yaml.Node, path string) []BGPPeer {
	var out []BGPPeer
	seen := map[netip.Addr]bool{}
	d.sequence(n, path, func(i int, e *yaml.Node) {
		p := d.decodeBGPPeer(e, index(path, i))
		if !p.Address.IsValid() {
			return
		}
		if seen[p.Address] {
			d.errorf(e, index(path, i), "peer %s is listed twice", p.Address)
			return
		}
		seen[p.Address] = true
		out = append(out, p)
	})
	return out
}

// asn decodes a 4-byte autonomous system number.
func (d *decoder) asn(n *yaml.Node, path string) uint32 {
	v, ok := d.integer(n, path, 1, math.MaxUint32)
	if ok && v == asTrans {
		d.errorf(n, path, "23456 is AS_TRANS (RFC 6793), not a real AS number")
		return 0
	}
	return uint32(v)
}

// addrFamily decodes an address that must be IPv6 (ipv6) or IPv4.
func (d *decoder) addrFamily(n *yaml.Node, path string, ipv6 bool) netip.Addr {
	a := d.addr(n, path)
	if a.IsValid() && a.Is6() != ipv6 {
		d.errorf(n, path, "%s is not an %s address", a, familyName(ipv6))
		return netip.Addr{}
	}
	return a
}

// wellKnownCommunities are the RFC 1997 communities accepted by name.
var wellKnownCommunities = map[string]uint32{
	"no-export":           0xFFFFFF01,
	"no-advertise":        0xFFFFFF02,
	"no-export-subconfed": 0xFFFFFF03,
}

// community decodes "ASN:VALUE" (each 0..65535) or a well-known name.
func (d *decoder) community(n *yaml.Node, path string) (uint32, bool) {
	if !d.scalar(n, path, "a community") {
		return 0, false
	}
	if c, ok := wellKnownCommunities[n.Value]; ok {
		return c, true
	}
	parts, ok := splitUints(n.Value, 2, 16)
	if !ok {
		d.errorf(n, path, "%q is not a community ASN:VALUE (each 0..65535) or no-export, no-advertise, no-export-subconfed", n.Value)
		return 0, false
	}
	return parts[0]<<16 | parts[1], true
}

// largeCommunity decodes "GLOBAL:LOCAL1:LOCAL2" (each 0..4294967295).
func (d *decoder) largeCommunity(n *yaml.Node, path string) (LargeCommunity, bool) {
	if !d.scalar(n, path, "a large community") {
		return LargeCommunity{}, false
	}
	parts, ok := splitUints(n.Value, 3, 32)
	if !ok {
		d.errorf(n, path, "%q is not a large community GLOBAL:LOCAL1:LOCAL2 (each 0..4294967295)", n.Value)
		return LargeCommunity{}, false
	}
	return LargeCommunity{Global: parts[0], Local1: parts[1], Local2: parts[2]}, true
}

// splitUints splits s at ':' into exactly count decimal numbers of bits bits.
func splitUints(s string, count, bits int) ([]uint32, bool) {
	fields := strings.Split(s, ":")
	if len(fields) != count {
		return nil, false
	}
	out := make([]uint32, count)
	for i, f := range fields {
		if !isDecimal(f) || strings.HasPrefix(f, "-") {
			return nil, false
		}
		v, err := strconv.ParseUint(f, 10, bits)
		if err != nil {
			return nil, false
		}
		out[i] = uint32(v)
	}
	return out, true
}
