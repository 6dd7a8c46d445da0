package daemon

import (
	"context"
	"net/netip"
	"slices"
	"time"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/reconcile"
)

// A daemon that stops as Master removes its VIPs before its last advert
// (release.go), so VIPs on the interface at start mean the last one did
// not get that far: it was killed (kill -9, OOM, a panic) while Master.
// Its kernel kept forwarding (the VIPs and IPVS stayed), and the peer,
// which heard no priority-0 advert, takes over only after
// Master_Down_Interval. A VRRP instance whose every VIP is on the node's
// interfaces at start therefore resumes mastership at once, as a
// standalone node that joins a virtual router does (vrrp.Node.StartHeld,
// reason held-vips): the VIPs never leave, and its first advert keeps a
// backup that has not yet taken over from doing so. A peer that already
// took over holds them too, as it did while this node was down, until one
// of the two reads the other's advert: the better one stays Master and
// the other releases, as any two masters resolve. The resumed master
// announces the VIPs it kept (resume_announce.go): a peer that took over
// meanwhile moved the neighbours to itself, and nothing else moves them
// back, since no address is added. An instance with some
// of its VIPs missing starts as Backup and its first round removes the
// rest, as the RFC's startup does.

// resumeRead bounds the read of the interfaces' addresses at start.
const resumeRead = 2 * time.Second

// resumedInstances returns the VRRP instances of cfg whose every VIP is
// on one of the node's interfaces now, with where each VIP is. A failed
// read resumes none.
func (w *wiring) resumedInstances(cfg desired.Config) map[string][]reconcile.Address {
	vcs := vrrpConfigs(cfg)
	if w.listAddrs == nil || len(vcs) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), resumeRead)
	defer cancel()
	on := map[netip.Addr]reconcile.Address{}
	for _, ifname := range vipInterfaces(cfg) {
		ps, err := w.listAddrs(ctx, ifname)
		if err != nil {
			w.log.Warn("read the VIP interfaces at start: every vrrp instance starts as backup", "interface", ifname, "error", err.Error())
			return nil
		}
		for _, p := range ps {
			on[p.Addr().Unmap()] = reconcile.Address{Interface: ifname, Prefix: p}
		}
	}
	held := map[string][]reconcile.Address{}
	for name, vc := range vcs {
		var found []reconcile.Address
		for _, a := range vc.VIPs {
			if at, ok := on[a.Unmap()]; ok {
				found = append(found, at)
			}
		}
		if len(found) > 0 && len(found) == len(vc.VIPs) {
			held[name] = found
			w.log.Warn("vrrp instance resumes mastership: its VIPs were still on the interface at start (the daemon stopped without releasing them)",
				"instance", name, "vips", len(vc.VIPs))
		}
	}
	return held
}

// vipInterfaces are the interfaces cfg puts VIPs on: the node's, the
// services' own, and those of the VRRP instances.
func vipInterfaces(cfg desired.Config) []string {
	out := slices.Clone(cfg.Node.Interfaces)
	for _, s := range cfg.Services {
		if s.Interface != "" {
			out = append(out, s.Interface)
		}
	}
	for _, v := range cfg.Node.Instances() {
		if v.Interface != "" {
			out = append(out, v.Interface)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// resumes returns the VIPs of instance name when its router starts as
// Master because they were held at start (nil otherwise); it says so once.
func (w *wiring) resumes(name string) []reconcile.Address {
	w.mu.Lock()
	defer w.mu.Unlock()
	held := w.resumed[name]
	delete(w.resumed, name)
	return held
}
