package desired

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// checkServiceChecks checks a service's (resolved) checks against the service.
func (b *builder) checkServiceChecks(s *Service, path string) {
	for i, c := range s.Checks {
		p := index(path+".checks", i)
		if c.Type == "" {
			continue
		}
		if c.Mode == ModeDSR || c.Mode == ModeTunnel {
			b.checkPathMode(s, c, p)
		}
		if c.Type != CheckICMP && c.Port == 0 && len(s.Ports) == 0 {
			for _, be := range s.Backends {
				if be.Port == 0 {
					b.errorAt(c.Source, p+".port", "missing: the service has no ports and backend "+
						be.Address.String()+" none, so the check needs a port")
					break
				}
			}
		}
	}
}

// checkPathMode checks a dsr or tunnel check against the service's forwarding.
func (b *builder) checkPathMode(s *Service, c Check, p string) {
	want := ForwardDR
	if c.Mode == ModeTunnel {
		want = ForwardTunnel
	}
	if !s.VIP.IsValid() {
		b.errorAt(c.Source, p+".mode", fmt.Sprintf("a %s check connects to the VIP, and the service has none", c.Mode))
	}
	if s.Forward != want {
		b.errorAt(c.Source, p+".mode", fmt.Sprintf("a %s check needs forward: %s, the service forwards with %s", c.Mode, want, s.Forward))
		return
	}
	for _, be := range s.Backends {
		if be.Forward != want {
			b.errorAt(c.Source, p+".mode", fmt.Sprintf("a %s check needs %s forwarding, backend %s uses %s", c.Mode, want, be.Address, be.Forward))
			return
		}
	}
}

// checkServicesAgainstNode checks services against the node: interfaces,
// scope and the check fwmark range; it also fills the defaults that come
// from the node. b.paths are the services' paths.
func (b *builder) checkServicesAgainstNode(services []Service, n Node) {
	for i := range services {
		s := &services[i]
		p := b.paths[i]
		if n.AnycastVIP(s.VIP) {
			b.anycastInterface(s, n, p)
		} else if s.Interface == "" {
			serviceNodeDefaults(s, n)
		} else if !slices.Contains(n.Interfaces, s.Interface) {
			b.errorAt(s.Source, p+".interface", fmt.Sprintf("%q is not one of the node's interfaces %v", s.Interface, n.Interfaces))
		}
		b.checkScope(n.Scope, s, p)
		// An anycast VIP is held whatever the VRRP state: no instance
		// needs naming for it.
		b.resolveInstance(&s.VRRPInstance, n, s.Source, p+".vrrp_instance", s.VIP.IsValid() && !n.AnycastVIP(s.VIP))
		if s.Fwmark != 0 && n.CheckFwmarks.Contains(s.Fwmark) {
			b.errorAt(s.Source, p+".fwmark", fmt.Sprintf("fwmark %d lies in node.check_fwmarks %d-%d, reserved for check services",
				s.Fwmark, n.CheckFwmarks.First, n.CheckFwmarks.Last))
		}
	}
}

// anycastInterface puts an anycast VIP (inside node.bgp.announce, with
// node.bgp.interface set) on node.bgp.interface, refusing another
// interface named by the service.
func (b *builder) anycastInterface(s *Service, n Node, p string) {
	if s.Interface != "" && s.Interface != n.BGP.Interface {
		b.errorAt(s.Source, p+".interface", fmt.Sprintf("%s is an anycast VIP (inside node.bgp.announce), held on node.bgp.interface %q; leave interface out",
			s.VIP, n.BGP.Interface))
		return
	}
	s.Interface = n.BGP.Interface
}

// checkScope reports a service outside a non-empty scope. An fwmark
// service's VIP is checked only when the scope has prefixes.
func (b *builder) checkScope(sc Scope, s *Service, p string) {
	if s.Fwmark != 0 && !sc.OwnsFwmark(s.Fwmark) {
		b.errorAt(s.Source, p+".fwmark", fmt.Sprintf("fwmark %d is outside node.scope.fwmarks", s.Fwmark))
	}
	if s.VIP.IsValid() && (s.Fwmark == 0 || len(sc.Prefixes) > 0) && !sc.OwnsAddr(s.VIP) {
		b.errorAt(s.Source, p+".vip", fmt.Sprintf("%s is outside node.scope.prefixes", s.VIP))
	}
}

// checkMarkKey identifies one check service: the VIP family (fwmark
// services have one), a backend and its forwarding.
type checkMarkKey struct {
	ipv6    bool
	addr    netip.Addr
	forward Forward
	tunnel  Tunnel
}

// checkCheckMarks checks that dsr/tunnel checks have enough reserved marks.
func (b *builder) checkCheckMarks(cfg *Config) {
	need := map[checkMarkKey]bool{}
	var first *Check
	for _, s := range cfg.Services {
		for ci, c := range s.Checks {
			if c.Mode != ModeDSR && c.Mode != ModeTunnel {
				continue
			}
			if first == nil {
				first = &s.Checks[ci]
			}
			for _, be := range s.Backends {
				need[checkMarkKey{s.IPv6, be.Address, be.Forward, s.Tunnel}] = true
			}
		}
	}
	r := cfg.Node.CheckFwmarks
	switch {
	case first != nil && r.IsZero():
		b.errorAt(first.Source, "mode", "dsr and tunnel checks need node.check_fwmarks (a range of marks for check services)")
	case len(need) > r.Size() && !r.IsZero():
		b.errorAt(cfg.Node.Source, "node.check_fwmarks", fmt.Sprintf("%d-%d holds %d marks but dsr/tunnel checks need %d (one per backend and forwarding method)",
			r.First, r.Last, r.Size(), len(need)))
	}
}

// checkTracking checks that tracked services exist (cfg.Services sorted by name).
func (b *builder) checkTracking(cfg *Config) {
	if cfg.Node.VRRP == nil || b.unparsed {
		return
	}
	is := cfg.Node.Instances()
	for k, v := range is {
		path := "node.vrrp.track.services"
		if len(is) > 1 || v.Name != DefaultInstance {
			path = index("node.vrrp_instances", k) + ".track.services"
		}
		for i, t := range v.Track.Services {
			if !hasService(cfg.Services, t.Name) {
				b.errorAt(cfg.Node.Source, index(path, i)+".name", fmt.Sprintf("no service named %q", t.Name))
			}
		}
	}
}

// vipKey identifies one IPVS virtual service of a VIP service.
type vipKey struct {
	vip   netip.Addr
	proto Protocol
	port  uint16
}

// fwmarkKey identifies one IPVS fwmark service.
type fwmarkKey struct {
	mark uint32
	ipv6 bool
}

// checkUnique reports duplicate names, VIP/protocol/port pairs and fwmarks.
func (b *builder) checkUnique(services []Service) {
	u := b.uniq
	if u == nil {
		u = &uniqueIndex{}
	}
	u.reset(len(services))
	names, vips, marks := u.names, u.vips, u.marks
	for i, s := range services {
		p := b.paths[i]
		if prev, ok := names[s.Name]; ok && s.Name != "" {
			b.errorAt(s.Source, p+".name", fmt.Sprintf("duplicate service name %q (first defined at %s)", s.Name, pos(prev)))
		} else {
			names[s.Name] = s.Source
		}
		if s.Fwmark != 0 {
			k := fwmarkKey{s.Fwmark, s.IPv6}
			if prev, ok := marks[k]; ok {
				b.errorAt(s.Source, p+".fwmark", fmt.Sprintf("fwmark %d (%s) is already used by the service at %s", s.Fwmark, familyName(s.IPv6), pos(prev)))
			}
			marks[k] = s.Source
			continue
		}
		for _, pt := range s.Ports {
			k := vipKey{s.VIP, pt.Proto, pt.Port}
			if prev, ok := vips[k]; ok {
				b.errorAt(s.Source, p+".ports", fmt.Sprintf("%s/%s:%d is already used by the service at %s", pt.Proto, s.VIP, pt.Port, pos(prev)))
			}
			vips[k] = s.Source
		}
	}
}

// uniqueIndex holds checkUnique's maps; a cachedBuilder keeps them between
// builds so a reload does not allocate them again.
type uniqueIndex struct {
	names map[string]Source
	vips  map[vipKey]Source
	marks map[fwmarkKey]Source
}

// reset empties the maps, making them for n services the first time.
func (u *uniqueIndex) reset(n int) {
	if u.names == nil {
		u.names, u.vips, u.marks = make(map[string]Source, n), make(map[vipKey]Source, n), map[fwmarkKey]Source{}
		return
	}
	clear(u.names)
	clear(u.vips)
	clear(u.marks)
}

// hasService reports whether services, sorted by name, hold one named name.
func hasService(services []Service, name string) bool {
	_, ok := slices.BinarySearchFunc(services, name, func(s Service, n string) int { return strings.Compare(s.Name, n) })
	return ok
}
