package reconcile

import (
	"net/netip"
	"slices"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
)

// Preview is what a round would do beyond the IPVS plan: the VIP addresses
// it would add and remove and the connection-sync daemon roles it would
// stop and start. plan and diff render it after the Plan.
type Preview struct {
	AddAddresses    []Address
	DeleteAddresses []Address
	// SyncDaemonManaged is false when the config has no sync_daemon: the
	// daemons are then left alone and the two fields below are empty.
	SyncDaemonManaged bool
	StopSyncDaemons   []kernel.DaemonState
	StartSyncDaemons  []kernel.Daemon
	// Settings are the node-setting ops (node.ipvs) of the round.
	Settings []SettingOp
}

// Empty reports whether the preview changes nothing.
func (p Preview) Empty() bool {
	return len(p.AddAddresses) == 0 && len(p.DeleteAddresses) == 0 && len(p.StopSyncDaemons) == 0 && len(p.StartSyncDaemons) == 0 &&
		len(p.Settings) == 0
}

// AddressInterfaces returns the interfaces whose addresses a round of cfg
// reads: the policy's and the target's, sorted and unique.
func AddressInterfaces(cfg desired.Config, target []Address) []string {
	ifnames := slices.Clone(addressPolicyOf(cfg).Interfaces)
	for _, t := range target {
		ifnames = append(ifnames, t.Interface)
	}
	slices.Sort(ifnames)
	return slices.Compact(ifnames)
}

// PreviewOf returns what a round of cfg with outcome out and mastership
// master would do to the VIP addresses and the sync daemon, given the live
// addresses by interface (nil: not read), the addresses the daemon holds
// (it owns those, as the ones it added itself) and the live sync daemons
// (nil with liveDaemons false: not read). It is the same planning the
// loop's VIP manager and sync-daemon switch run, without their effects.
func PreviewOf(cfg desired.Config, out Outcome, master bool, liveAddrs map[string][]netip.Prefix, held []Address,
	daemons []kernel.Daemon, liveDaemons bool) Preview {
	var p Preview
	if liveAddrs != nil {
		added := make(map[Address]bool, len(held))
		for _, a := range held {
			added[a] = true
		}
		p.AddAddresses, p.DeleteAddresses = planAddresses(liveAddrs, out.Target.Addresses, heldPolicy(cfg, out.Plan, master), added)
	}
	if want, ok := wantDaemons(cfg); ok {
		p.SyncDaemonManaged = true
		if liveDaemons {
			p.StopSyncDaemons, p.StartSyncDaemons = planDaemons(daemons, want)
		}
	}
	return p
}

// Snapshot returns the kernel table that holds exactly t's services and
// destinations: the table a node has after applying t in full (diff plans a
// new config revision against the table of the old one). The destinations
// of a scheduler that depends on their order have their canonical list
// positions; the others' positions are unknown (0).
func (t Target) Snapshot() kernel.Snapshot {
	s := kernel.Snapshot{Services: make([]kernel.Service, 0, len(t.Services))}
	for _, ts := range t.Services {
		ks := kernel.Service{Key: ts.Key, Config: ts.Config, Destinations: make([]kernel.Destination, 0, len(ts.Destinations))}
		ordered := orderSensitive(ts.Config.Scheduler)
		for i, d := range ts.Destinations {
			kd := kernel.Destination{Key: d.Key, Config: d.Config}
			if ordered {
				kd.ListPos = i + 1
			}
			ks.Destinations = append(ks.Destinations, kd)
		}
		s.Services = append(s.Services, ks)
	}
	return s
}

// AddressesByInterface groups addresses as the live address lists are
// (interface -> prefixes).
func AddressesByInterface(as []Address) map[string][]netip.Prefix {
	m := map[string][]netip.Prefix{}
	for _, a := range as {
		m[a.Interface] = append(m[a.Interface], a.Prefix)
	}
	return m
}
