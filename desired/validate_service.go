package desired

import (
	"cmp"
	"net/netip"
	"slices"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// comparePorts orders ports by protocol then number.
func comparePorts(a, b Port) int {
	return cmp.Or(cmp.Compare(a.Proto, b.Proto), cmp.Compare(a.Port, b.Port))
}

// netmask decodes a persistence netmask: a prefix length or a dotted IPv4 mask.
func (d *decoder) netmask(n *yaml.Node, path string) int {
	if !d.scalar(n, path, "a prefix length or netmask") {
		return -1
	}
	if l, err := strconv.Atoi(n.Value); err == nil && l >= 0 && l <= 128 {
		return l
	}
	if a, err := netip.ParseAddr(n.Value); err == nil && a.Is4() {
		b := a.As4()
		bits := 0
		for bits < 32 && b[bits/8]&(0x80>>(bits%8)) != 0 {
			bits++
		}
		if p, err := a.Prefix(bits); err == nil && p.Addr() == a && maskOnes(bits) == a {
			return bits
		}
	}
	d.errorf(n, path, "%q is not a prefix length (0..128) or contiguous IPv4 netmask", n.Value)
	return -1
}

// maskOnes is the IPv4 netmask with the first bits set.
func maskOnes(bits int) netip.Addr {
	var b [4]byte
	for i := range bits {
		b[i/8] |= 0x80 >> (i % 8)
	}
	return netip.AddrFrom4(b)
}

// checkServiceAddress checks VIP, fwmark, family and ports together.
func (d *decoder) checkServiceAddress(s *Service, n *yaml.Node, path string, kn keyNodes) {
	switch {
	case !s.VIP.IsValid() && s.Fwmark == 0:
		if _, vip := kn["vip"]; !vip {
			if _, fw := kn["fwmark"]; !fw {
				d.errorf(n, key(path, "vip"), "missing: a service needs a vip or an fwmark")
			}
		}
	case s.VIP.IsValid():
		if f, ok := kn["family"]; ok && s.IPv6 != s.VIP.Is6() {
			d.errorf(f, key(path, "family"), "does not match the vip %s", s.VIP)
		}
		s.IPv6 = s.VIP.Is6()
	}
	if s.Fwmark == 0 && s.VIP.IsValid() && len(s.Ports) == 0 {
		if p, ok := kn["ports"]; !ok || p.Kind == yaml.SequenceNode && len(p.Content) == 0 {
			d.errorf(kn.at("ports", n), key(path, "ports"), "missing: a vip service needs at least one port (or an fwmark)")
		}
	}
	if _, ok := kn["family"]; ok && s.Fwmark == 0 {
		d.errorf(kn["family"], key(path, "family"), "only fwmark services take a family (a vip has one)")
	}
}

// checkServiceOptions checks the options that depend on each other.
func (d *decoder) checkServiceOptions(s *Service, n *yaml.Node, path string, kn keyNodes) {
	if f, ok := kn["scheduler_flags"]; ok && s.Scheduler != "sh" && s.Scheduler != "mh" &&
		(s.SchedulerFlags.Fallback || s.SchedulerFlags.Port) {
		d.errorf(f, key(path, "scheduler_flags"), "scheduler %s takes no flags (only sh and mh do)", s.Scheduler)
	}
	if f, ok := kn["scheduler_flags"]; ok && (s.Scheduler == "sh" || s.Scheduler == "mh") {
		for i, e := range f.Content {
			if len(e.Value) > 2 && e.Value[:2] != s.Scheduler {
				d.errorf(e, index(key(path, "scheduler_flags"), i), "%s is not a flag of scheduler %s", e.Value, s.Scheduler)
			}
		}
	}
	if t, ok := kn["tunnel"]; ok && s.Forward != ForwardTunnel {
		d.errorf(t, key(path, "tunnel"), "only for forward: tunnel (forward is %s)", s.Forward)
	}
	if s.Forward != ForwardTunnel {
		s.Tunnel = Tunnel{}
	} else if s.Tunnel.Type == "" {
		s.Tunnel = defaultTunnel()
	}
	if p := s.Persistence; p != nil {
		if max := familyBits(s.IPv6); p.PrefixLen > max {
			d.errorf(kn["persistence"], key(path, "persistence.netmask"), "/%d is longer than an %s address", p.PrefixLen, familyName(s.IPv6))
		}
		if p.Engine == "sip" && !allUDP(s) {
			d.errorf(kn["persistence"], key(path, "persistence.engine"), "sip persistence needs udp ports only")
		}
	}
	if o, ok := kn["one_packet"]; ok && s.OnePacket && !allUDP(s) {
		d.errorf(o, key(path, "one_packet"), "one-packet scheduling is only for udp services")
	}
}

// familyBits is the address length of a family in bits.
func familyBits(ipv6 bool) int {
	if ipv6 {
		return 128
	}
	return 32
}

// allUDP reports whether every port of s is udp (true for an fwmark service without ports).
func allUDP(s *Service) bool {
	for _, p := range s.Ports {
		if p.Proto != UDP {
			return false
		}
	}
	return len(s.Ports) > 0 || s.Fwmark != 0
}

// checkBackends checks the backends of s against the service and each other,
// then sorts them by address and port.
func (d *decoder) checkBackends(s *Service, path string, seq *yaml.Node) {
	if seq == nil || seq.Kind != yaml.SequenceNode || len(seq.Content) != len(s.Backends) {
		sortBackends(s.Backends)
		return
	}
	familyKnown := s.VIP.IsValid() || s.Fwmark != 0
	for i := range s.Backends {
		b := &s.Backends[i]
		p := index(path+".backends", i)
		if !b.Address.IsValid() {
			continue
		}
		if familyKnown && b.Forward != ForwardTunnel && b.Address.Is6() != s.IPv6 {
			d.errorf(seq.Content[i], key(p, "address"), "%s is %s but the service is %s; only tunnel forwarding mixes families",
				b.Address, familyName(b.Address.Is6()), familyName(s.IPv6))
		}
		if b.Port != 0 && b.Forward != ForwardNAT {
			d.errorf(seq.Content[i], key(p, "port"), "%s forwarding cannot change the port; remove it or use nat", b.Forward)
		}
	}
	idx := make([]int, len(s.Backends))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return compareBackends(s.Backends[a], s.Backends[b]) })
	for k := 1; k < len(idx); k++ {
		a, b := s.Backends[idx[k-1]], s.Backends[idx[k]]
		if a.Address.IsValid() && a.Address == b.Address && a.Port == b.Port {
			d.errorf(seq.Content[idx[k]], index(path+".backends", idx[k]), "backend %s is listed twice (first at line %d)", b.Address, a.Source.Line)
		}
	}
	sortBackends(s.Backends)
}

// compareBackends orders backends by address then port.
func compareBackends(a, b Backend) int {
	return cmp.Or(a.Address.Compare(b.Address), cmp.Compare(a.Port, b.Port))
}

// sortBackends sorts backends by address then port.
func sortBackends(bs []Backend) {
	slices.SortStableFunc(bs, compareBackends)
}
