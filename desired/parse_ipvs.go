package desired

import (
	"cmp"
	"slices"
	"time"

	"go.yaml.in/yaml/v3"
)

// decodeIPVS decodes `ipvs: {timeouts, SYSCTL: VALUE...}`; the sysctls not
// written keep their defaults (DefaultIPVSSysctls).
func (d *decoder) decodeIPVS(n *yaml.Node, path string) IPVSSettings {
	var s IPVSSettings
	set := map[string]int{}
	for _, c := range DefaultIPVSSysctls {
		set[c.Name] = c.Value
	}
	d.mapping(n, path, func(k string, v *yaml.Node) bool {
		p := key(path, k)
		switch k {
		case "timeouts":
			s.Timeouts = d.decodeIPVSTimeouts(v, p)
		case "conntrack", "expire_nodest_conn", "expire_quiescent_template", "sloppy_sctp", "sloppy_tcp":
			set[k] = 0
			if d.boolean(v, p) {
				set[k] = 1
			}
		case "conn_reuse_mode":
			m, _ := d.integer(v, p, 0, int64(ipvsSysctlKeys[k]))
			set[k] = int(m)
		default:
			return false
		}
		return true
	})
	for name, v := range set {
		s.Sysctls = append(s.Sysctls, Sysctl{Name: name, Value: v})
	}
	slices.SortFunc(s.Sysctls, func(a, b Sysctl) int { return cmp.Compare(a.Name, b.Name) })
	return s
}

// decodeIPVSTimeouts decodes `timeouts: {tcp, tcp_fin, udp}`.
func (d *decoder) decodeIPVSTimeouts(n *yaml.Node, path string) IPVSTimeouts {
	var t IPVSTimeouts
	d.mapping(n, path, func(k string, v *yaml.Node) bool {
		p := key(path, k)
		switch k {
		case "tcp":
			t.TCP = d.ipvsTimeout(v, p)
		case "tcp_fin":
			t.TCPFin = d.ipvsTimeout(v, p)
		case "udp":
			t.UDP = d.ipvsTimeout(v, p)
		default:
			return false
		}
		return true
	})
	return t
}

// ipvsTimeout decodes a whole number of seconds from 1s to MaxIPVSTimeout.
func (d *decoder) ipvsTimeout(n *yaml.Node, path string) time.Duration {
	before := len(d.errs)
	v := d.duration(n, path)
	switch {
	case len(d.errs) > before:
	case v%time.Second != 0:
		d.errorf(n, path, "%s is not a whole number of seconds (IPVS keeps its timeouts in seconds)", n.Value)
	case v < time.Second || v > MaxIPVSTimeout:
		d.errorf(n, path, "%s is out of range 1s..%s", n.Value, MaxIPVSTimeout)
	default:
		return v
	}
	return 0
}
