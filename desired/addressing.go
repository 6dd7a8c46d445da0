package desired

import (
	"reflect"
	"slices"
)

// SameAddressing reports whether a and b place the same addresses: the
// same node section, the same floating addresses and, service by service
// in order, the same VIP, interface and VRRP instance. Whatever is
// derived from those alone (the VIPs a node holds for a mastership, the
// virtual routers' settings) is the same for both, so a caller may keep
// what it derived from a. It is one pass of comparisons that hashes and
// allocates nothing; a false answer where the two differ only in the
// order of their services costs the caller a recomputation, never a
// wrong result.
func SameAddressing(a, b Config) bool {
	if len(a.Services) != len(b.Services) || !slices.Equal(a.Addresses, b.Addresses) || !reflect.DeepEqual(a.Node, b.Node) {
		return false
	}
	for i := range a.Services {
		x, y := &a.Services[i], &b.Services[i]
		if x.VIP != y.VIP || x.Interface != y.Interface || x.VRRPInstance != y.VRRPInstance {
			return false
		}
	}
	return true
}
