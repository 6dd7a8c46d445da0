package daemon

import (
	"net/netip"
	"slices"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/reconcile"
	"github.com/seesaw-lb/seesaw/vrrp"
)

// vrrpConfigs maps each VRRP instance of the node onto a virtual router,
// by instance name; nil on a standalone node.
func vrrpConfigs(cfg desired.Config) map[string]vrrp.Config {
	is := cfg.Node.Instances()
	if len(is) == 0 {
		return nil
	}
	out := make(map[string]vrrp.Config, len(is))
	for _, v := range is {
		out[v.Name] = instanceConfig(cfg, v)
	}
	return out
}

// vrrpConfig maps the node's first VRRP instance (the only one of
// `node.vrrp`) onto a virtual router; ok is false on a standalone node.
func vrrpConfig(cfg desired.Config) (vrrp.Config, bool) {
	is := cfg.Node.Instances()
	if len(is) == 0 {
		return vrrp.Config{}, false
	}
	return instanceConfig(cfg, is[0]), true
}

// instanceConfig maps instance v onto a virtual router: the VIPs are the
// addresses of v's family that v's master holds (its services' VIPs and
// its floating addresses), sorted.
func instanceConfig(cfg desired.Config, v desired.VRRP) vrrp.Config {
	c := vrrp.Config{
		Interface: v.Interface, VRID: v.VRID, Priority: v.Priority, AdvertInterval: v.AdvertInterval,
		Preempt: v.Preempt, PreemptDelay: v.PreemptDelay, Peers: v.Peers,
		Source: v.SourceAddress, KernelTimedAdverts: v.KernelTimedAdverts,
		RealtimePriority: v.RealtimePriority, AdvertSender: v.AdvertSender,
	}
	if c.Interface == "" && len(cfg.Node.Interfaces) > 0 {
		c.Interface = cfg.Node.Interfaces[0]
	}
	for _, t := range v.Track.Interfaces {
		c.TrackInterfaces = append(c.TrackInterfaces, vrrp.TrackInterface{Name: t.Name, Penalty: int(t.Decrement)})
	}
	add := func(a netip.Addr) {
		if a.Is6() == v.IPv6 {
			c.VIPs = append(c.VIPs, a)
		}
	}
	for _, s := range cfg.Services {
		if s.VIP.IsValid() && cfg.Node.InstanceFor(s.VRRPInstance) == v.Name {
			add(s.VIP)
		}
	}
	for _, a := range cfg.Addresses {
		if cfg.Node.InstanceFor(a.VRRPInstance) == v.Name {
			add(a.Prefix.Addr())
		}
	}
	// Sorted, then each once: services share VIPs, and a search per
	// service would cost services x VIPs.
	slices.SortFunc(c.VIPs, netip.Addr.Compare)
	c.VIPs = slices.Compact(c.VIPs)
	return c
}

// servicePenalty is the priority penalty of the first instance's tracked
// services that are below their low watermark (down) in the last round's
// status.
func servicePenalty(cfg desired.Config, services []reconcile.ServiceStatus) int {
	is := cfg.Node.Instances()
	if len(is) == 0 {
		return 0
	}
	return servicePenaltyOf(cfg, is[0].Name, services)
}

// servicePenaltyOf is the priority penalty of instance's tracked services
// that are down in the last round's status.
func servicePenaltyOf(cfg desired.Config, instance string, services []reconcile.ServiceStatus) int {
	up := make(map[string]bool, len(services))
	for _, s := range services {
		up[s.Name] = s.Up
	}
	p := 0
	for _, v := range cfg.Node.Instances() {
		if v.Name != instance {
			continue
		}
		for _, t := range v.Track.Services {
			if isUp, known := up[t.Name]; known && !isUp {
				p += int(t.Decrement)
			}
		}
	}
	return p
}

// masterOf maps a VRRP state onto the reconcile loop's mastership: only
// Master holds the VIPs; Initialize and Backup do not.
func masterOf(s vrrp.State) bool { return s == vrrp.Master }
