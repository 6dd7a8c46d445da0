package reconcile

import (
	"maps"
	"net/netip"
	"slices"

	"github.com/seesaw-lb/seesaw/desired"
)

// mastership says which VRRP instances' addresses the node holds: each
// instance in of as it says, every other one as def. A standalone node and
// the one instance of `node.vrrp` use def alone (Loop.SetMaster); a node
// with several instances sets each (Loop.SetInstanceMaster).
type mastership struct {
	def bool
	of  map[string]bool
}

// holds reports whether the node holds the addresses of instance name.
// The addresses of a standalone config (name "") are held while the node
// is master of any instance too: a config that leaves VRRP keeps the
// addresses the node holds until SetMaster makes it standalone.
func (m mastership) holds(name string) bool {
	if v, ok := m.of[name]; ok {
		return v
	}
	if name == "" {
		for _, v := range m.of {
			if v {
				return true
			}
		}
	}
	return m.def
}

// holdsAny reports whether the node holds the addresses of some instance of cfg
// (of def alone when cfg has none).
func (m mastership) holdsAny(cfg desired.Config) bool {
	is := cfg.Node.Instances()
	if len(is) == 0 {
		return m.def
	}
	for _, v := range is {
		if m.holds(v.Name) {
			return true
		}
	}
	return false
}

// equal reports whether two masterships hold the same instances.
func (m mastership) equal(o mastership) bool { return m.def == o.def && maps.Equal(m.of, o.of) }

// covers reports whether m holds every instance of cfg that now holds.
func (m mastership) covers(now mastership, cfg desired.Config) bool {
	for _, name := range instanceNames(cfg) {
		if now.holds(name) && !m.holds(name) {
			return false
		}
	}
	return true
}

// instanceNames are the instance names addresses of cfg may follow: every
// instance, and "" (the default of a standalone node).
func instanceNames(cfg desired.Config) []string {
	out := []string{""}
	for _, v := range cfg.Node.Instances() {
		out = append(out, v.Name)
	}
	return out
}

// mastership is the mastership of a round's inputs.
func (in Inputs) mastership() mastership { return mastership{def: in.Master, of: in.Instances} }

// HoldsAny reports whether a round of in holds the addresses of some VRRP
// instance of its config (Master alone on a standalone node).
func (in Inputs) HoldsAny() bool { return in.mastership().holdsAny(in.Config) }

// heldAddresses lists the addresses to hold under m, one per (interface,
// address), sorted: the VIPs of the services and the floating addresses
// whose instance m holds, and the anycast VIPs whatever m (anycast.go).
func heldAddresses(cfg desired.Config, m mastership) []Address {
	var out []Address
	holds := func(named string) bool { return m.holds(cfg.Node.InstanceFor(named)) }
	for i := range cfg.Services {
		s := &cfg.Services[i]
		if !s.VIP.IsValid() || !holds(s.VRRPInstance) && !cfg.Node.AnycastVIP(s.VIP) {
			continue
		}
		ifname := s.Interface
		if ifname == "" && len(cfg.Node.Interfaces) > 0 {
			ifname = cfg.Node.Interfaces[0]
		}
		vip := s.VIP.Unmap()
		out = append(out, Address{Interface: ifname, Prefix: netip.PrefixFrom(vip, vip.BitLen())})
	}
	for _, a := range cfg.Addresses {
		if holds(a.VRRPInstance) {
			out = append(out, Address{Interface: floatingInterface(cfg, a), Prefix: a.Prefix})
		}
	}
	slices.SortFunc(out, compareAddresses)
	return slices.Compact(out)
}

// floatingInterface is the interface of a floating address.
func floatingInterface(cfg desired.Config, a desired.FloatingAddress) string {
	if a.Interface == "" && len(cfg.Node.Interfaces) > 0 {
		return cfg.Node.Interfaces[0]
	}
	return a.Interface
}
