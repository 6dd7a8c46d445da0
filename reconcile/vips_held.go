package reconcile

import "github.com/seesaw-lb/seesaw/desired"

// heldPolicy is the address policy of a round: the config's, and while
// master the VIPs of the services whose deletion the guard held back are
// kept, so those services stay reachable until the deletion is allowed.
// A backup keeps only the anycast ones: mastership decides the other VIPs,
// not the guard.
func heldPolicy(cfg desired.Config, p Plan, master bool) AddressPolicy {
	return withHeld(addressPolicyOf(cfg), cfg, p, master)
}

// withHeld adds to pol.Keep the VIPs heldPolicy keeps for plan p; pol.Keep
// must be the caller's own.
func withHeld(pol AddressPolicy, cfg desired.Config, p Plan, master bool) AddressPolicy {
	if !p.Held {
		return pol
	}
	for _, vip := range p.HeldVIPs() {
		if master || cfg.Node.AnycastVIP(vip) {
			pol.Keep = append(pol.Keep, vip)
		}
	}
	return pol
}
