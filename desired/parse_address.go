package desired

import (
	"net/netip"
	"strings"

	"go.yaml.in/yaml/v3"
)

// decodeFloating decodes one entry of the top-level `addresses:` list:
// `{address, interface, vrrp_instance}`, or the address alone.
func (d *decoder) decodeFloating(n *yaml.Node, path string) (FloatingAddress, bool) {
	a := FloatingAddress{Source: d.src(n)}
	if n.Kind == yaml.ScalarNode {
		a.Prefix = d.floatingPrefix(n, path)
		return a, a.Prefix.IsValid()
	}
	d.mapping(n, path, func(k string, v *yaml.Node) bool {
		p := key(path, k)
		switch k {
		case "address":
			a.Prefix = d.floatingPrefix(v, p)
		case "interface":
			a.Interface = d.interfaceName(v, p)
		case "vrrp_instance":
			a.VRRPInstance = d.name(v, p)
		default:
			return false
		}
		return true
	})
	if n.Kind == yaml.MappingNode && !a.Prefix.IsValid() {
		if _, written := mappingValue(n, "address"); !written {
			d.errorf(n, key(path, "address"), "missing: the address to hold (like 192.0.2.50 or 192.0.2.50/24)")
		}
	}
	return a, a.Prefix.IsValid()
}

// mappingValue returns the value of key k in mapping n.
func mappingValue(n *yaml.Node, k string) (*yaml.Node, bool) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == k {
			return n.Content[i+1], true
		}
	}
	return nil, false
}

// floatingPrefix decodes an address, bare (a host prefix) or with its
// prefix length (host bits kept: 192.0.2.50/24 is the address 192.0.2.50).
func (d *decoder) floatingPrefix(n *yaml.Node, path string) netip.Prefix {
	s := d.str(n, path)
	if s == "" {
		return netip.Prefix{}
	}
	if !strings.Contains(s, "/") {
		a := d.addr(n, path)
		if !a.IsValid() {
			return netip.Prefix{}
		}
		return netip.PrefixFrom(a, a.BitLen())
	}
	p, err := netip.ParsePrefix(s)
	if err != nil || p.Addr().Zone() != "" {
		d.errorf(n, path, "%q is not an address or ADDRESS/LENGTH (like 192.0.2.50 or 192.0.2.50/24)", s)
		return netip.Prefix{}
	}
	a := p.Addr().Unmap()
	if a.IsUnspecified() || a.IsMulticast() || (a.Is4() && p.Bits() < 32 && p.Masked().Addr() == a) {
		d.errorf(n, path, "%q is not a host address", s)
		return netip.Prefix{}
	}
	return netip.PrefixFrom(a, min(p.Bits(), a.BitLen()))
}
