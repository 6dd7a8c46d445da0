package daemon

import (
	"net/netip"
	"slices"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/reconcile"
	"github.com/seesaw-lb/seesaw/vrrp"
)

// vrrpConfig maps the node's vrrp section onto a virtual router: the VIPs
// are every service VIP of the router's family, sorted; ok is false when
// the node has no vrrp section (standalone: always master).
func vrrpConfig(cfg desired.Config) (vrrp.Config, bool) {
	v := cfg.Node.VRRP
	if v == nil {
		return vrrp.Config{}, false
	}
	c := vrrp.Config{
		Interface: v.Interface, VRID: v.VRID, Priority: v.Priority, AdvertInterval: v.AdvertInterval,
		Preempt: v.Preempt, PreemptDelay: v.PreemptDelay, Peers: v.Peers,
		Source: v.SourceAddress, KernelTimedAdverts: v.KernelTimedAdverts,
		RealtimePriority: v.RealtimePriority,
	}
	if c.Interface == "" && len(cfg.Node.Interfaces) > 0 {
		c.Interface = cfg.Node.Interfaces[0]
	}
	for _, t := range v.Track.Interfaces {
		c.TrackInterfaces = append(c.TrackInterfaces, vrrp.TrackInterface{Name: t.Name, Penalty: int(t.Decrement)})
	}
	for _, s := range cfg.Services {
		if s.VIP.IsValid() && s.VIP.Is6() == v.IPv6 && !slices.Contains(c.VIPs, s.VIP) {
			c.VIPs = append(c.VIPs, s.VIP)
		}
	}
	slices.SortFunc(c.VIPs, netip.Addr.Compare)
	return c, true
}

// servicePenalty is the priority penalty of the tracked services that are
// below their low watermark (down) in the last round's status.
func servicePenalty(cfg desired.Config, services []reconcile.ServiceStatus) int {
	if cfg.Node.VRRP == nil {
		return 0
	}
	up := make(map[string]bool, len(services))
	for _, s := range services {
		up[s.Name] = s.Up
	}
	p := 0
	for _, t := range cfg.Node.VRRP.Track.Services {
		if isUp, known := up[t.Name]; known && !isUp {
			p += int(t.Decrement)
		}
	}
	return p
}

// masterOf maps a VRRP state onto the reconcile loop's mastership: only
// Master holds the VIPs; Initialize and Backup do not.
func masterOf(s vrrp.State) bool { return s == vrrp.Master }
