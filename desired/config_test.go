package desired

import (
	"net/netip"
	"testing"
)

// TestScopeOwnership: an empty scope owns everything; a set one owns only
// what its prefixes and ranges contain.
func TestScopeOwnership(t *testing.T) {
	empty := Scope{}
	set := Scope{Prefixes: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/28")}, Fwmarks: []FwmarkRange{{100, 199}}}
	v4in, v4out := netip.MustParseAddr("192.0.2.15"), netip.MustParseAddr("192.0.2.16")
	tests := []struct {
		name string
		got  bool
		want bool
	}{
		{"empty owns any address", empty.OwnsAddr(v4out), true},
		{"empty owns any mark", empty.OwnsFwmark(7), true},
		{"prefix contains", set.OwnsAddr(v4in), true},
		{"prefix excludes", set.OwnsAddr(v4out), false},
		{"range first", set.OwnsFwmark(100), true},
		{"range last", set.OwnsFwmark(199), true},
		{"range after", set.OwnsFwmark(200), false},
		{"prefixes only: marks not owned", Scope{Prefixes: set.Prefixes}.OwnsFwmark(150), false},
		{"zero range holds nothing", FwmarkRange{}.Contains(0), false},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: got %t, want %t", tc.name, tc.got, tc.want)
		}
	}
	if n := (FwmarkRange{60000, 60999}).Size(); n != 1000 {
		t.Errorf("Size = %d, want 1000", n)
	}
}
