package bgp

import (
	"fmt"
	"net/netip"

	"github.com/osrg/gobgp/v4/pkg/apiutil"
	"github.com/osrg/gobgp/v4/pkg/packet/bgp"
)

// hostPath builds the path announcing prefix with the attributes a.
func hostPath(asn uint32, a Attributes, prefix netip.Prefix) (*apiutil.Path, error) {
	nlri, err := bgp.NewIPAddrPrefix(prefix)
	if err != nil {
		return nil, fmt.Errorf("build NLRI for %s: %w", prefix, err)
	}
	attrs := []bgp.PathAttributeInterface{bgp.NewPathAttributeOrigin(bgp.BGP_ORIGIN_ATTR_TYPE_IGP)}
	family := bgp.RF_IPv4_UC
	if prefix.Addr().Is4() {
		nh, err := bgp.NewPathAttributeNextHop(orUnspecified(a.NextHopIPv4, netip.IPv4Unspecified()))
		if err != nil {
			return nil, fmt.Errorf("build next hop for %s: %w", prefix, err)
		}
		attrs = append(attrs, nh)
	} else {
		family = bgp.RF_IPv6_UC
		mp, err := bgp.NewPathAttributeMpReachNLRI(family, []bgp.PathNLRI{{NLRI: nlri}}, orUnspecified(a.NextHopIPv6, netip.IPv6Unspecified()))
		if err != nil {
			return nil, fmt.Errorf("build MP_REACH_NLRI for %s: %w", prefix, err)
		}
		attrs = append(attrs, mp)
	}
	return &apiutil.Path{Family: family, Nlri: nlri, Attrs: append(attrs, extraAttrs(asn, a)...)}, nil
}

// extraAttrs are the optional attributes: AS path, MED, LOCAL_PREF, communities.
func extraAttrs(asn uint32, a Attributes) []bgp.PathAttributeInterface {
	var out []bgp.PathAttributeInterface
	if a.Prepend > 0 {
		as := make([]uint32, a.Prepend)
		for i := range as {
			as[i] = asn
		}
		out = append(out, bgp.NewPathAttributeAsPath([]bgp.AsPathParamInterface{bgp.NewAs4PathParam(bgp.BGP_ASPATH_ATTR_TYPE_SEQ, as)}))
	}
	if a.MED != nil {
		out = append(out, bgp.NewPathAttributeMultiExitDisc(*a.MED))
	}
	if a.LocalPref != nil {
		out = append(out, bgp.NewPathAttributeLocalPref(*a.LocalPref))
	}
	if len(a.Communities) > 0 {
		out = append(out, bgp.NewPathAttributeCommunities(a.Communities))
	}
	if len(a.LargeCommunities) > 0 {
		lc := make([]*bgp.LargeCommunity, len(a.LargeCommunities))
		for i, c := range a.LargeCommunities {
			lc[i] = bgp.NewLargeCommunity(c.Global, c.Local1, c.Local2)
		}
		out = append(out, bgp.NewPathAttributeLargeCommunities(lc))
	}
	return out
}

// orUnspecified returns a, or u when a is zero: GoBGP replaces an
// unspecified next hop with the session's local address.
func orUnspecified(a, u netip.Addr) netip.Addr {
	if a.IsValid() {
		return a
	}
	return u
}
