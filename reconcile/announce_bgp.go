package reconcile

import (
	"net/netip"
	"slices"

	"github.com/seesaw-lb/seesaw/desired"
)

// Why a VIP is or is not announced over BGP.
const (
	RouteAnnounced     = "announced"
	RouteDrained       = "node drained by hand (drain-node)"
	RouteNodeUnhealthy = "node unhealthy: no round has read the kernel yet, or the last could not"
	RouteNotHeld       = "VIP not held by this node"
	RouteNoServiceUp   = "no service of the VIP is up with a healthy backend"
)

// BGPInputs is what decides which VIPs a node announces over BGP.
type BGPInputs struct {
	// Config is the config in force; only VIPs inside node.bgp.announce count.
	Config desired.Config
	// Services are the services' watermark positions (Status.Services); a
	// service missing from them counts as down.
	Services []ServiceStatus
	// Healthy reports that the node serves: its last round read the kernel
	// and planned (the daemon decides; see internal/daemon nodeServes).
	Healthy bool
	// Drained reports that the operator withdrew the node (drain-node).
	Drained bool
	// Held are the VIPs the node holds on its interfaces.
	Held map[netip.Addr]bool
}

// VIPRoute is the route health injection verdict for one VIP.
type VIPRoute struct {
	// Prefix is the VIP as a host route: /32 or /128.
	Prefix netip.Prefix
	// Announce reports whether the route is announced.
	Announce bool
	// Reason says why (one of the Route* constants).
	Reason string
	// Up and Services count the VIP's services that serve, and all of them.
	Up, Services int
}

// BGPRoutes decides, for every VIP inside node.bgp.announce, whether the
// node announces it: while the node is not drained, is healthy, holds the
// VIP, and at least one of the VIP's services serves: it is up by its
// watermarks and has a healthy backend (watermarks default to "never
// down", which must not keep a VIP without a backend announced). "Any"
// rather than "all": a VIP with one broken port keeps serving its other
// ports, and the broken one is broken on every node alike. The result is sorted by
// prefix; it is empty without node.bgp. It is a pure function.
func BGPRoutes(in BGPInputs) []VIPRoute {
	b := in.Config.Node.BGP
	if b == nil {
		return nil
	}
	serving := make(map[string]bool, len(in.Services))
	for _, st := range in.Services {
		serving[st.Name] = st.Up && st.Healthy > 0
	}
	byVIP := map[netip.Addr]int{} // index into out
	var out []VIPRoute
	for i := range in.Config.Services {
		s := &in.Config.Services[i]
		if !s.VIP.IsValid() || !b.Announces(s.VIP) {
			continue
		}
		j, ok := byVIP[s.VIP]
		if !ok {
			j = len(out)
			out = append(out, VIPRoute{Prefix: netip.PrefixFrom(s.VIP, s.VIP.BitLen())})
			byVIP[s.VIP] = j
		}
		out[j].Services++
		if serving[s.Name] {
			out[j].Up++
		}
	}
	for i := range out {
		out[i].Announce, out[i].Reason = routeVerdict(in, out[i])
	}
	slices.SortFunc(out, func(a, b VIPRoute) int { return a.Prefix.Addr().Compare(b.Prefix.Addr()) })
	return out
}

// routeVerdict gives one VIP's verdict, the node-wide reasons first.
func routeVerdict(in BGPInputs, r VIPRoute) (bool, string) {
	switch {
	case in.Drained:
		return false, RouteDrained
	case !in.Healthy:
		return false, RouteNodeUnhealthy
	case !in.Held[r.Prefix.Addr()]:
		return false, RouteNotHeld
	case r.Up == 0:
		return false, RouteNoServiceUp
	}
	return true, RouteAnnounced
}

// AnnouncedPrefixes returns the prefixes of the routes that are announced.
func AnnouncedPrefixes(routes []VIPRoute) []netip.Prefix {
	var out []netip.Prefix
	for _, r := range routes {
		if r.Announce {
			out = append(out, r.Prefix)
		}
	}
	return out
}

// HeldVIPsOf returns the set of VIPs among addresses.
func HeldVIPsOf(addresses []Address) map[netip.Addr]bool {
	held := make(map[netip.Addr]bool, len(addresses))
	for _, a := range addresses {
		held[a.Prefix.Addr()] = true
	}
	return held
}
