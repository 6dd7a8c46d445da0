package desired

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// resolveInstance checks the VRRP instance an address names against the
// node and fills in the node's only instance when it names none. hasAddress
// is false for an fwmark service without VIP, which holds no address: it
// needs no instance, and one it names must still exist.
func (b *builder) resolveInstance(named *string, n Node, src Source, path string, hasAddress bool) {
	is := n.Instances()
	names := make([]string, len(is))
	for i, v := range is {
		names[i] = v.Name
	}
	switch {
	case *named != "" && len(is) == 0:
		b.errorAt(src, path, fmt.Sprintf("instance %q: the node has no VRRP instances (standalone: it holds every address)", *named))
	case *named != "" && !slices.Contains(names, *named):
		b.errorAt(src, path, fmt.Sprintf("no VRRP instance named %q (the node's instances are %s)", *named, strings.Join(names, ", ")))
	case *named == "" && len(is) == 1:
		*named = is[0].Name
	case *named == "" && len(is) > 1 && hasAddress:
		b.errorAt(src, path, fmt.Sprintf("missing: the node has several VRRP instances (%s); name the one whose master holds this address",
			strings.Join(names, ", ")))
	}
}

// addFloating checks the floating addresses of every file against the node
// and the services, fills in their interface and instance, and returns
// them sorted by interface then address.
func (b *builder) addFloating(files []*parsedFile, n *Node, services []Service) []FloatingAddress {
	var out []FloatingAddress
	seen := map[netip.Addr]Source{}
	var vips map[netip.Addr]string // made at the first floating address
	for _, f := range files {
		for i, a := range f.addresses {
			p := f.addressPaths[i]
			addr := a.Prefix.Addr()
			if prev, dup := seen[addr]; dup {
				b.errorAt(a.Source, p+".address", fmt.Sprintf("%s is already listed at %s", addr, pos(prev)))
				continue
			}
			seen[addr] = a.Source
			if vips == nil {
				vips = vipNames(services)
			}
			if svc, ok := vips[addr]; ok {
				b.errorAt(a.Source, p+".address", fmt.Sprintf("%s is the VIP of service %q, which already holds it; remove it from addresses", addr, svc))
				continue
			}
			if n != nil {
				b.floatingAgainstNode(&a, *n, p)
			}
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(x, y FloatingAddress) int {
		if c := strings.Compare(x.Interface, y.Interface); c != 0 {
			return c
		}
		return x.Prefix.Addr().Compare(y.Prefix.Addr())
	})
	return out
}

// floatingAgainstNode checks a floating address's interface and instance
// against the node, filling the defaults.
func (b *builder) floatingAgainstNode(a *FloatingAddress, n Node, p string) {
	if a.Interface == "" && len(n.Interfaces) > 0 {
		a.Interface = n.Interfaces[0]
	} else if a.Interface != "" && !slices.Contains(n.Interfaces, a.Interface) {
		b.errorAt(a.Source, p+".interface", fmt.Sprintf("%q is not one of the node's interfaces %v", a.Interface, n.Interfaces))
	}
	b.resolveInstance(&a.VRRPInstance, n, a.Source, p+".vrrp_instance", true)
}

// vipNames maps the VIP of each service that has one to its name.
func vipNames(services []Service) map[netip.Addr]string {
	vips := make(map[netip.Addr]string, len(services))
	for _, s := range services {
		if s.VIP.IsValid() {
			vips[s.VIP.Unmap()] = s.Name
		}
	}
	return vips
}
