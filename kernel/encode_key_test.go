package kernel

import (
	"bytes"
	"net/netip"
	"testing"
)

func TestAppendServiceKeyAttrsMatchesEncoder(t *testing.T) {
	for _, k := range []ServiceKey{
		NewServiceKey(TCP, netip.MustParseAddr("192.0.2.10"), 80),
		NewServiceKey(UDP, netip.MustParseAddr("2001:db8::10"), 53),
		NewFWMarkKey(IPv4, 7),
		NewFWMarkKey(IPv6, 0xffffffff),
	} {
		want, err := serviceKeyAttrs(k)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendServiceKeyAttrs(nil, k); !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %x\nwant %x", k, got, want)
		}
	}
}
