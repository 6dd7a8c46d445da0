package desired

import (
	"math"
	"net/netip"
	"slices"

	"go.yaml.in/yaml/v3"
)

// decodeNode decodes the `node:` section.
func (d *decoder) decodeNode(n *yaml.Node, path string) Node {
	node := defaultNode()
	node.Source = d.src(n)
	var vrrpN, instancesN, groupsN, bgpN *yaml.Node
	ok := d.mapping(n, path, func(k string, v *yaml.Node) bool {
		p := key(path, k)
		switch k {
		case "name":
			node.Name = d.name(v, p)
		case "interface":
			node.Interfaces = d.interfaces(v, p)
		case "scope":
			node.Scope = d.decodeScope(v, p)
		case "check_fwmarks":
			node.CheckFwmarks = d.fwmarkRange(v, p)
		case "resync_interval":
			node.ResyncInterval = d.durationMin(v, p, MinResyncInterval)
		case "resync_cpu":
			node.ResyncCPU = d.resyncCPU(v, p)
		case "mass_delete":
			node.MassDelete = d.decodeMassDelete(v, p, node.MassDelete)
		case "vrrp":
			vr := d.decodeVRRP(v, p, false)
			node.VRRPInstances, vrrpN = []VRRP{vr}, v
		case "vrrp_instances":
			node.VRRPInstances, instancesN = d.decodeInstances(v, p), v
		case "vrrp_sync_groups":
			node.SyncGroups, groupsN = d.decodeSyncGroups(v, p), v
		case "bgp":
			b := d.decodeBGP(v, p)
			node.BGP, bgpN = &b, v
		case "metrics_address":
			node.MetricsAddress = d.addrPort(v, p)
		case "control_socket":
			node.ControlSocket = d.str(v, p)
		case "limits":
			node.Limits = d.decodeLimits(v, p)
		case "notify":
			node.Notify = d.decodeNotify(v, p)
		case "ipvs":
			node.IPVS = d.decodeIPVS(v, p)
		default:
			return false
		}
		return true
	})
	if !ok {
		return node
	}
	if node.Name == "" {
		d.errorf(n, key(path, "name"), "missing: every node needs a name")
	}
	if len(node.Interfaces) == 0 {
		d.errorf(n, key(path, "interface"), "missing: the interface(s) VIPs are added to")
	}
	d.checkInstances(&node, path, vrrpN, instancesN, groupsN)
	nodeDerivedDefaults(&node)
	d.checkAnycastInterface(&node, bgpN, key(key(path, "bgp"), "interface"))
	return node
}

// checkAnycastInterface refuses a node.bgp.interface that also carries
// VIPs that follow VRRP or the VRRP adverts: the anycast interface must
// not answer ARP, and those interfaces must.
func (d *decoder) checkAnycastInterface(node *Node, n *yaml.Node, path string) {
	if node.BGP == nil || node.BGP.Interface == "" {
		return
	}
	ifname := node.BGP.Interface
	if slices.Contains(node.Interfaces, ifname) {
		d.errorf(n, path, "%q is also in node.interface: anycast VIPs need an interface of their own without ARP (like a dummy anycast0)", ifname)
	} else if i := slices.IndexFunc(node.VRRPInstances, func(v VRRP) bool { return v.Interface == ifname }); i >= 0 {
		d.errorf(n, path, "%q also carries the VRRP adverts of instance %s: anycast VIPs need an interface of their own without ARP", ifname, node.Instances()[i].Name)
	}
}

// interfaces decodes one interface name or a list of them.
func (d *decoder) interfaces(n *yaml.Node, path string) []string {
	if n.Kind == yaml.ScalarNode {
		if s := d.interfaceName(n, path); s != "" {
			return []string{s}
		}
		return nil
	}
	var out []string
	seen := map[string]bool{}
	d.sequence(n, path, func(i int, v *yaml.Node) {
		if s := d.interfaceName(v, index(path, i)); s != "" {
			if seen[s] {
				d.errorf(v, index(path, i), "interface %q is listed twice", s)
				return
			}
			seen[s] = true
			out = append(out, s)
		}
	})
	return out
}

// decodeScope decodes `scope: {prefixes, fwmarks}`.
func (d *decoder) decodeScope(n *yaml.Node, path string) Scope {
	var s Scope
	d.mapping(n, path, func(k string, v *yaml.Node) bool {
		p := key(path, k)
		switch k {
		case "prefixes":
			d.sequence(v, p, func(i int, e *yaml.Node) {
				if pf := d.prefix(e, index(p, i)); pf.IsValid() {
					s.Prefixes = append(s.Prefixes, pf)
				}
			})
		case "fwmarks":
			d.sequence(v, p, func(i int, e *yaml.Node) {
				if r := d.fwmarkRange(e, index(p, i)); !r.IsZero() {
					s.Fwmarks = append(s.Fwmarks, r)
				}
			})
		default:
			return false
		}
		return true
	})
	return s
}

// decodeMassDelete decodes `mass_delete: {max_share, min_count, allow}`.
func (d *decoder) decodeMassDelete(n *yaml.Node, path string, g MassDeleteGuard) MassDeleteGuard {
	d.mapping(n, path, func(k string, v *yaml.Node) bool {
		switch k {
		case "max_share":
			g.MaxShare = d.share(v, key(path, k))
		case "min_count":
			if n, ok := d.integer(v, key(path, k), 0, math.MaxInt32); ok {
				g.MinCount = int(n)
			}
		case "allow":
			g.Allow = d.boolean(v, key(path, k))
		default:
			return false
		}
		return true
	})
	return g
}

// addrPort decodes "ADDR:PORT" (IPv6 as [ADDR]:PORT).
func (d *decoder) addrPort(n *yaml.Node, path string) netip.AddrPort {
	s := d.str(n, path)
	if s == "" {
		return netip.AddrPort{}
	}
	ap, err := parseAddrPort(s)
	if err != nil {
		d.errorf(n, path, "%q is not ADDRESS:PORT (like 127.0.0.1:9847 or [::1]:9847)", s)
	}
	return ap
}

// uint8In decodes an integer in [lo, hi] that fits a byte.
func (d *decoder) uint8In(n *yaml.Node, path string, lo, hi int64) uint8 {
	v, _ := d.integer(n, path, lo, min(hi, math.MaxUint8))
	return uint8(v)
}
