package reconcile

import (
	"context"
	"net/netip"
	"slices"

	"github.com/seesaw-lb/seesaw/desired"
)

// VIPManager makes the node hold exactly the target VIP addresses among the
// addresses it owns (see AddressPolicy), announcing new ones. It returns
// the target addresses held afterwards.
type VIPManager interface {
	Sync(ctx context.Context, target []Address, policy AddressPolicy) ([]Address, error)
}

// AddressPolicy says which live addresses belong to the reconciler: only
// host-length addresses (/32, /128) on Interfaces, and of those the ones
// inside the scope Prefixes, or VIPs of the config (Known). Everything else
// on the interface (the node's own addresses) is never touched.
type AddressPolicy struct {
	Interfaces []string
	Prefixes   []netip.Prefix
	Known      []netip.Addr
	// Announce says how an added address is announced: node.vrrp's garp_*
	// settings on a VRRP node, once on a standalone one.
	Announce Announce
	// Keep are addresses never removed, though not targeted: the VIPs of
	// services whose deletion the mass-delete guard held back (heldPolicy).
	Keep []netip.Addr
	// Floating are the config's floating addresses (top-level
	// `addresses:`), owned whatever their prefix length.
	Floating []Address
	// AnnounceOf is how the addresses of a VRRP instance other than the
	// first are announced, where its garp_* settings differ.
	AnnounceOf map[netip.Addr]Announce
	// Anycast is node.bgp.interface ("": none): it is created as a dummy
	// interface when missing, and addresses added to it are never
	// announced: the BGP route brings their traffic (anycast.go).
	Anycast string
}

// announceFor is how address a is announced when it is added.
func (pol AddressPolicy) announceFor(a Address) Announce {
	if an, ok := pol.AnnounceOf[a.Prefix.Addr()]; ok {
		return an
	}
	return pol.Announce
}

// addressPolicyOf derives the policy from a config: its interfaces, its
// scope prefixes and its VIPs.
func addressPolicyOf(cfg desired.Config) AddressPolicy {
	p := AddressPolicy{Interfaces: slices.Clone(cfg.Node.Interfaces), Prefixes: cfg.Node.Scope.Prefixes}
	for i := range cfg.Services {
		s := &cfg.Services[i]
		if s.Interface != "" {
			p.Interfaces = append(p.Interfaces, s.Interface)
		}
		if s.VIP.IsValid() {
			p.Known = append(p.Known, s.VIP.Unmap())
		}
	}
	for _, a := range cfg.Addresses {
		fa := Address{Interface: floatingInterface(cfg, a), Prefix: a.Prefix}
		p.Interfaces = append(p.Interfaces, fa.Interface)
		p.Known = append(p.Known, a.Prefix.Addr())
		p.Floating = append(p.Floating, fa)
	}
	slices.Sort(p.Interfaces)
	p.Interfaces = slices.Compact(p.Interfaces)
	// One entry per address: services share VIPs (one per port or more),
	// and Owns looks each live address up in Known.
	slices.SortFunc(p.Known, netip.Addr.Compare)
	p.Known = slices.Compact(p.Known)
	if v := cfg.Node.VRRP; v != nil {
		p.Announce = Announce(v.GARP)
	}
	p.AnnounceOf = instanceAnnounce(cfg)
	if b := cfg.Node.BGP; b != nil && b.Interface != "" {
		p.Anycast = b.Interface
		p.Interfaces = append(p.Interfaces, b.Interface)
		slices.Sort(p.Interfaces)
		p.Interfaces = slices.Compact(p.Interfaces)
	}
	return p
}

// instanceAnnounce maps the addresses of the instances whose garp_*
// settings differ from the first instance's onto their own settings.
func instanceAnnounce(cfg desired.Config) map[netip.Addr]Announce {
	is := cfg.Node.Instances()
	if len(is) < 2 {
		return nil
	}
	garp := map[string]desired.GARP{}
	for _, v := range is[1:] {
		if v.GARP != is[0].GARP {
			garp[v.Name] = v.GARP
		}
	}
	if len(garp) == 0 {
		return nil
	}
	out := map[netip.Addr]Announce{}
	for i := range cfg.Services {
		s := &cfg.Services[i]
		if g, ok := garp[cfg.Node.InstanceFor(s.VRRPInstance)]; ok && s.VIP.IsValid() {
			out[s.VIP.Unmap()] = Announce(g)
		}
	}
	for _, a := range cfg.Addresses {
		if g, ok := garp[cfg.Node.InstanceFor(a.VRRPInstance)]; ok {
			out[a.Prefix.Addr()] = Announce(g)
		}
	}
	return out
}

// Owns reports whether address p on an interface is the reconciler's;
// added are the addresses this process added itself.
func (pol AddressPolicy) Owns(a Address, added map[Address]bool) bool {
	if slices.Contains(pol.Floating, a) {
		return true
	}
	if a.Prefix.Bits() != a.Prefix.Addr().BitLen() {
		return false
	}
	if added[a] || slices.Contains(pol.Known, a.Prefix.Addr()) {
		return true
	}
	for _, p := range pol.Prefixes {
		if p.Contains(a.Prefix.Addr()) {
			return true
		}
	}
	return false
}

// planAddresses returns the addresses to add and to delete so that the
// owned live addresses equal target. live maps interface to its addresses.
func planAddresses(live map[string][]netip.Prefix, target []Address, pol AddressPolicy, added map[Address]bool) (add, del []Address) {
	for _, t := range target {
		if !slices.Contains(live[t.Interface], t.Prefix) {
			add = append(add, t)
		}
	}
	for ifname, ps := range live {
		for _, p := range ps {
			a := Address{Interface: ifname, Prefix: p}
			if pol.Owns(a, added) && !slices.Contains(target, a) && !slices.Contains(pol.Keep, p.Addr()) {
				del = append(del, a)
			}
		}
	}
	slices.SortFunc(add, compareAddresses)
	slices.SortFunc(del, compareAddresses)
	return add, del
}
