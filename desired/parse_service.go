package desired

import (
	"math"
	"slices"

	"go.yaml.in/yaml/v3"
)

// schedulers are the IPVS schedulers of a stock Linux kernel.
var schedulers = []string{"rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos"}

// keyNodes remembers where each key of a mapping was written, for checks
// that involve several keys.
type keyNodes map[string]*yaml.Node

// at returns the node of key k, or fallback when k was not written.
func (kn keyNodes) at(k string, fallback *yaml.Node) *yaml.Node {
	if n, ok := kn[k]; ok {
		return n
	}
	return fallback
}

// checkRef is a service's reference to a shared check, resolved by build.
type checkRef struct {
	service int // index in parsedFile.services
	check   int // index in Service.Checks
	name    string
	path    string
	src     Source
}

// decodeService decodes one entry of `services:`.
func (d *decoder) decodeService(n *yaml.Node, path string, f *parsedFile) Service {
	s := defaultService()
	s.Source = d.src(n)
	kn := keyNodes{}
	d.mapping(n, path, func(k string, v *yaml.Node) bool {
		kn[k] = v
		return d.serviceField(&s, k, v, key(path, k), f)
	})
	if n.Kind != yaml.MappingNode {
		return s
	}
	if s.Name == "" {
		d.errorf(n, key(path, "name"), "missing: every service needs a unique name")
	}
	d.checkServiceAddress(&s, n, path, kn)
	d.checkServiceOptions(&s, n, path, kn)
	serviceDerivedDefaults(&s)
	d.checkBackends(&s, path, kn["backends"])
	d.checkFallbacks(&s, path, kn["fallback"])
	return s
}

// serviceField decodes one key of a service; false means an unknown key.
func (d *decoder) serviceField(s *Service, k string, v *yaml.Node, p string, f *parsedFile) bool {
	switch k {
	case "name":
		s.Name = d.name(v, p)
	case "vip":
		s.VIP = d.addr(v, p)
	case "fwmark":
		m, _ := d.integer(v, p, 1, math.MaxUint32)
		s.Fwmark = uint32(m)
	case "family":
		s.IPv6 = d.oneOf(v, p, "ipv4", "ipv6") == "ipv6"
	case "ports":
		s.Ports = d.decodePorts(v, p)
	case "interface":
		s.Interface = d.interfaceName(v, p)
	case "vrrp_instance":
		s.VRRPInstance = d.name(v, p)
	case "scheduler":
		s.Scheduler = d.oneOf(v, p, schedulers...)
	case "scheduler_flags":
		d.sequence(v, p, func(i int, e *yaml.Node) {
			switch d.oneOf(e, index(p, i), "sh-fallback", "sh-port", "mh-fallback", "mh-port") {
			case "sh-fallback", "mh-fallback":
				s.SchedulerFlags.Fallback = true
			case "sh-port", "mh-port":
				s.SchedulerFlags.Port = true
			}
		})
	case "forward":
		s.Forward = Forward(d.oneOf(v, p, "nat", "dr", "tunnel"))
	case "tunnel":
		s.Tunnel = d.decodeTunnel(v, p)
	case "persistence":
		pe := d.decodePersistence(v, p)
		s.Persistence = &pe
	case "one_packet":
		s.OnePacket = d.boolean(v, p)
	case "watermarks":
		s.Watermarks = d.decodeWatermarks(v, p)
	case "drain_timeout":
		s.DrainTimeout = d.duration(v, p)
	case "on_unhealthy":
		s.OnUnhealthy = OnUnhealthy(d.oneOf(v, p, "drain", "remove"))
	case "checks":
		d.decodeServiceChecks(s, v, p, f)
	case "backends":
		s.Backends = make([]Backend, 0, len(v.Content))
		d.sequence(v, p, func(i int, e *yaml.Node) {
			s.Backends = append(s.Backends, d.decodeBackend(e, index(p, i)))
		})
	case "fallback":
		s.Fallback = d.decodeFallbacks(v, p)
	default:
		return false
	}
	return true
}

// decodeServiceChecks decodes a service's `checks:`: inline checks, or
// references to shared checks written as a name or `{use: NAME}`.
func (d *decoder) decodeServiceChecks(s *Service, n *yaml.Node, path string, f *parsedFile) {
	d.sequence(n, path, func(i int, e *yaml.Node) {
		p := index(path, i)
		name := ""
		if e.Kind == yaml.ScalarNode {
			name = d.str(e, p)
		} else if e.Kind == yaml.MappingNode && len(e.Content) == 2 && e.Content[0].Value == "use" {
			name = d.str(e.Content[1], key(p, "use"))
		} else if e.Kind == yaml.MappingNode && hasKey(e, "use") {
			d.errorf(e, key(p, "use"), "a reference to a shared check takes no other keys (declare another shared check instead)")
			return
		} else {
			s.Checks = append(s.Checks, d.decodeCheck(e, p, false))
			return
		}
		if name != "" {
			f.refs = append(f.refs, checkRef{service: len(f.services), check: len(s.Checks),
				name: name, path: p, src: d.src(e)})
			s.Checks = append(s.Checks, Check{Name: name, Source: d.src(e)})
		}
	})
}

// decodePorts decodes `ports: [{proto, port}]`, sorted, without duplicates.
func (d *decoder) decodePorts(n *yaml.Node, path string) []Port {
	var out []Port
	var at []int // the list index each port of out was written at
	d.sequence(n, path, func(i int, e *yaml.Node) {
		if pt, ok := d.decodePort(e, index(path, i)); ok {
			out, at = append(out, pt), append(at, i)
		}
	})
	idx := make([]int, len(out))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return comparePorts(out[a], out[b]) })
	sorted := make([]Port, 0, len(out))
	for k, i := range idx {
		if k > 0 && out[i] == out[idx[k-1]] {
			d.errorf(n.Content[at[i]], index(path, at[i]), "%s/%d is listed twice", out[i].Proto, out[i].Port)
			continue
		}
		sorted = append(sorted, out[i])
	}
	return sorted
}

// decodePort decodes one `{proto, port}` entry.
func (d *decoder) decodePort(e *yaml.Node, p string) (Port, bool) {
	pt := Port{}
	before := len(d.errs)
	d.mapping(e, p, func(k string, v *yaml.Node) bool {
		switch k {
		case "proto":
			pt.Proto = Protocol(d.oneOf(v, key(p, k), "tcp", "udp", "sctp"))
		case "port":
			pt.Port = d.port(v, key(p, k))
		default:
			return false
		}
		return true
	})
	if e.Kind != yaml.MappingNode {
		return pt, false
	}
	if pt.Proto == "" || pt.Port == 0 {
		if len(d.errs) == before {
			d.errorf(e, p, "needs proto (tcp, udp, sctp) and port (1..65535)")
		}
		return pt, false
	}
	return pt, true
}

// decodeTunnel decodes `tunnel: {type, port, checksum}`.
func (d *decoder) decodeTunnel(n *yaml.Node, path string) Tunnel {
	t := defaultTunnel()
	kn := keyNodes{}
	d.mapping(n, path, func(k string, v *yaml.Node) bool {
		kn[k] = v
		switch k {
		case "type":
			t.Type = TunnelType(d.oneOf(v, key(path, k), "ipip", "gue", "gre"))
		case "port":
			t.Port = d.port(v, key(path, k))
		case "checksum":
			t.Checksum = TunnelChecksum(d.oneOf(v, key(path, k), "nocsum", "csum", "remcsum"))
		default:
			return false
		}
		return true
	})
	if t.Type == TunnelGUE && t.Port == 0 && n.Kind == yaml.MappingNode {
		d.errorf(n, key(path, "port"), "missing: gue needs the destination UDP port")
	}
	if t.Type != TunnelGUE && t.Port != 0 {
		d.errorf(kn.at("port", n), key(path, "port"), "only gue tunnels have a port")
	}
	if t.Type == TunnelIPIP && t.Checksum != ChecksumNone {
		d.errorf(kn.at("checksum", n), key(path, "checksum"), "ipip tunnels have no checksum option")
	}
	if t.Type == TunnelGRE && t.Checksum == ChecksumRemote {
		d.errorf(kn.at("checksum", n), key(path, "checksum"), "remcsum is only for gue tunnels")
	}
	return t
}

// decodePersistence decodes `persistence: {timeout, netmask, engine}`.
func (d *decoder) decodePersistence(n *yaml.Node, path string) Persistence {
	p := defaultPersistence()
	d.mapping(n, path, func(k string, v *yaml.Node) bool {
		switch k {
		case "timeout":
			p.Timeout = d.duration(v, key(path, k))
			if p.Timeout > 0 && p.Timeout < minPersistence {
				d.errorf(v, key(path, k), "must be at least %s (IPVS counts seconds)", minPersistence)
			}
		case "netmask":
			p.PrefixLen = d.netmask(v, key(path, k))
		case "engine":
			p.Engine = d.oneOf(v, key(path, k), "sip")
		default:
			return false
		}
		return true
	})
	return p
}

// decodeWatermarks decodes `watermarks: {low, high}`.
func (d *decoder) decodeWatermarks(n *yaml.Node, path string) Watermarks {
	var w Watermarks
	kn := keyNodes{}
	d.mapping(n, path, func(k string, v *yaml.Node) bool {
		kn[k] = v
		switch k {
		case "low":
			w.Low = d.share(v, key(path, k))
		case "high":
			w.High = d.share(v, key(path, k))
		default:
			return false
		}
		return true
	})
	watermarksDerivedDefaults(&w, kn)
	if w.Low > w.High {
		d.errorf(kn.at("high", n), key(path, "high"), "high (%g) is below low (%g)", w.High, w.Low)
	}
	return w
}

// decodeBackend decodes one entry of `backends:`.
func (d *decoder) decodeBackend(n *yaml.Node, path string) Backend {
	b := defaultBackend()
	b.Source = d.src(n)
	var lowerN *yaml.Node
	d.mapping(n, path, func(k string, v *yaml.Node) bool {
		p := key(path, k)
		switch k {
		case "address":
			b.Address = d.addr(v, p)
		case "port":
			b.Port = d.port(v, p)
		case "weight":
			w, _ := d.integer(v, p, 0, math.MaxUint16)
			b.Weight = int32(w)
		case "upper_threshold":
			t, _ := d.integer(v, p, 0, math.MaxInt32)
			b.UpperThreshold = uint32(t)
		case "lower_threshold":
			t, _ := d.integer(v, p, 0, math.MaxInt32)
			b.LowerThreshold, lowerN = uint32(t), v
		case "enabled":
			b.Enabled = d.boolean(v, p)
		case "forward":
			b.Forward = Forward(d.oneOf(v, p, "nat", "dr", "tunnel"))
		default:
			return false
		}
		return true
	})
	if n.Kind == yaml.MappingNode && !b.Address.IsValid() && !hasKey(n, "address") {
		d.errorf(n, key(path, "address"), "missing: every backend needs an address")
	}
	if lowerN != nil && b.UpperThreshold != 0 && b.LowerThreshold > b.UpperThreshold {
		d.errorf(lowerN, key(path, "lower_threshold"), "%d is above upper_threshold %d", b.LowerThreshold, b.UpperThreshold)
	}
	return b
}

// hasKey reports whether mapping n has key k.
func hasKey(n *yaml.Node, k string) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == k {
			return true
		}
	}
	return false
}
