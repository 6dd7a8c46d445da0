package reconcile

import "github.com/seesaw-lb/seesaw/desired"

// heldPolicy is the address policy of a round: the config's, and while
// master the VIPs of the services whose deletion the guard held back are
// kept, so those services stay reachable until the deletion is allowed.
// A backup keeps nothing: mastership decides the VIPs, not the guard.
func heldPolicy(cfg desired.Config, p Plan, master bool) AddressPolicy {
	pol := addressPolicyOf(cfg)
	if master && p.Held {
		pol.Keep = p.HeldVIPs()
	}
	return pol
}
