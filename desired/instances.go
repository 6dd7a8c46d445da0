package desired

import "net/netip"

// DefaultInstance is the name of the one VRRP instance of the `node.vrrp`
// form. Status, metrics, hooks and `failover --instance` use it.
const DefaultInstance = "default"

// SyncGroup is a set of VRRP instances that change state together
// (keepalived's vrrp_sync_group): when one member leaves Master, the others
// step down too, and when one becomes Master, the others follow.
type SyncGroup struct {
	// Name identifies the group in logs and status.
	Name string
	// Instances are the member instances' names, at least two; an instance
	// is in at most one group.
	Instances []string
}

// FloatingAddress is an address without a service (top-level `addresses:`):
// the master of its VRRP instance holds it and announces it like a service
// VIP. A standalone node always holds it.
type FloatingAddress struct {
	// Prefix is the address with its prefix length: /32 or /128 when
	// written bare, else as written (192.0.2.50/24 also adds the kernel's
	// prefix route, as `ip addr add` does).
	Prefix netip.Prefix
	// Interface is where the address is added (default: the node's first
	// interface).
	Interface string
	// VRRPInstance names the instance whose master holds it (the node's only
	// instance when not written; "" on a standalone node).
	VRRPInstance string
	// Source is where the entry was written.
	Source Source
}

// Instances returns the node's VRRP instances: VRRPInstances, or the one
// instance of VRRP (named DefaultInstance when it has no name) for a Node
// built without it; nil on a standalone node.
func (n Node) Instances() []VRRP {
	if len(n.VRRPInstances) > 0 {
		return n.VRRPInstances
	}
	if n.VRRP == nil {
		return nil
	}
	v := *n.VRRP
	if v.Name == "" {
		v.Name = DefaultInstance
	}
	return []VRRP{v}
}

// InstanceFor returns the instance that carries an address whose config
// names the instance named: named itself, else the node's first instance
// ("" on a standalone node).
func (n Node) InstanceFor(named string) string {
	if named != "" {
		return named
	}
	if is := n.Instances(); len(is) > 0 {
		return is[0].Name
	}
	return ""
}

// SyncGroupOf returns the sync group of the instance named, if any.
func (n Node) SyncGroupOf(instance string) (SyncGroup, bool) {
	for _, g := range n.SyncGroups {
		for _, m := range g.Instances {
			if m == instance {
				return g, true
			}
		}
	}
	return SyncGroup{}, false
}

// SyncDaemonInstance returns the instance that configures the IPVS
// connection-sync daemon (at most one does), if any.
func (n Node) SyncDaemonInstance() (VRRP, bool) {
	for _, v := range n.Instances() {
		if v.SyncDaemon != nil {
			return v, true
		}
	}
	return VRRP{}, false
}
