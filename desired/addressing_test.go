package desired

import (
	"net/netip"
	"testing"
)

// TestSameAddressing: each field that places an address makes two configs
// differ; a backend's weight does not.
func TestSameAddressing(t *testing.T) {
	base := func() Config {
		return Config{
			Node:      Node{Name: "lb1", Interfaces: []string{"eth0", "eth1"}},
			Addresses: []FloatingAddress{{Prefix: netip.MustParsePrefix("203.0.113.9/32"), Interface: "eth0"}},
			Services: []Service{
				{Name: "a", VIP: netip.MustParseAddr("192.0.2.1"), Interface: "eth0", VRRPInstance: "v1", Backends: []Backend{{Weight: 1}}},
				{Name: "b", VIP: netip.MustParseAddr("192.0.2.2"), Interface: "eth1", VRRPInstance: "v2"},
			},
		}
	}
	if !SameAddressing(base(), base()) {
		t.Fatal("two equal configs place different addresses")
	}
	for name, change := range map[string]func(*Config){
		"a weight":          nil,
		"the node":          func(c *Config) { c.Node.Name = "lb2" },
		"a floating prefix": func(c *Config) { c.Addresses[0].Prefix = netip.MustParsePrefix("203.0.113.10/32") },
		"a service's VIP":   func(c *Config) { c.Services[1].VIP = netip.MustParseAddr("192.0.2.3") },
		"an interface":      func(c *Config) { c.Services[0].Interface = "eth1" },
		"an instance":       func(c *Config) { c.Services[1].VRRPInstance = "v1" },
		"a service less":    func(c *Config) { c.Services = c.Services[:1] },
	} {
		c := base()
		want := change == nil
		if change == nil {
			c.Services[0].Backends[0].Weight = 9
		} else {
			change(&c)
		}
		if got := SameAddressing(base(), c); got != want {
			t.Errorf("%s changed: SameAddressing = %v, want %v", name, got, want)
		}
	}
}
