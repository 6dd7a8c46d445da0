package kernel

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/mdlayher/netlink"

	"github.com/seesaw-lb/seesaw/kernel/internal/wire"
)

// serviceNest encodes a service the way the kernel replies: full SERVICE
// attributes plus stats, HASHED set, 16-byte addresses.
func serviceNest(t testing.TB, k ServiceKey, c ServiceConfig) []byte {
	t.Helper()
	ae := netlink.NewAttributeEncoder()
	encodeServiceKey(ae, k)
	c.Flags |= flagHashed
	encodeServiceConfig(ae, k.Family, c)
	ae.Nested(wire.SvcStats64, func(nae *netlink.AttributeEncoder) error {
		nae.Uint64(wire.StatsConns, 1<<40)
		nae.Uint64(wire.StatsInBytes, 7)
		return nil
	})
	b, err := ae.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeServiceRoundTrip(t *testing.T) {
	cases := []struct {
		key ServiceKey
		cfg ServiceConfig
	}{
		{NewServiceKey(TCP, netip.MustParseAddr("192.0.2.10"), 80), ServiceConfig{Scheduler: "wrr", Flags: FlagPersistent, Timeout: 300, Netmask: PrefixNetmask(24)}},
		{NewServiceKey(UDP, netip.MustParseAddr("2001:db8::10"), 53), ServiceConfig{Scheduler: "sh", Flags: FlagSchedFallback | FlagSchedPort, Netmask: PrefixNetmask(64), PEName: "sip"}},
		{NewFWMarkKey(IPv6, 5), ServiceConfig{Scheduler: "rr"}},
		{NewServiceKey(SCTP, netip.MustParseAddr("192.0.2.11"), 0), ServiceConfig{Scheduler: "mh", Netmask: PrefixNetmask(0)}},
	}
	for _, c := range cases {
		got, err := decodeService(serviceNest(t, c.key, c.cfg))
		if err != nil {
			t.Fatalf("%s: %v", c.key, err)
		}
		if got.Key != c.key || got.Config != c.cfg {
			t.Errorf("%s: decoded %+v %+v, want %+v %+v", c.key, got.Key, got.Config, c.key, c.cfg)
		}
		if !got.Stats.Is64 || got.Stats.Conns != 1<<40 || got.Stats.InBytes != 7 {
			t.Errorf("%s: stats %+v", c.key, got.Stats)
		}
	}
}

func TestDecodeServiceAddressByFamily(t *testing.T) {
	// The kernel always sends 16 address bytes; IPv4 sits in the first 4.
	ae := netlink.NewAttributeEncoder()
	ae.Uint16(wire.SvcAF, uint16(IPv4))
	ae.Uint16(wire.SvcProtocol, uint16(TCP))
	ae.Bytes(wire.SvcAddr, []byte{192, 0, 2, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	ae.Bytes(wire.SvcPort, be16(80))
	ae.Bytes(wire.SvcFlags, make([]byte, 8))
	b, _ := ae.Encode()
	got, err := decodeService(b)
	if err != nil {
		t.Fatal(err)
	}
	if want := NewServiceKey(TCP, netip.MustParseAddr("192.0.2.10"), 80); got.Key != want {
		t.Fatalf("key %v, want %v", got.Key, want)
	}
}

func TestNetmaskEncodingPerFamily(t *testing.T) {
	if b := netmaskBytes(IPv4, PrefixNetmask(24)); string(b) != "\xff\xff\xff\x00" {
		t.Errorf("IPv4 /24 encodes as % x", b)
	}
	if b := netmaskBytes(IPv4, Netmask{}); string(b) != "\xff\xff\xff\xff" {
		t.Errorf("IPv4 default encodes as % x", b)
	}
	b := netmaskBytes(IPv6, PrefixNetmask(64))
	if m, err := decodeNetmask(IPv6, b); err != nil || m.Bits(IPv6) != 64 {
		t.Errorf("IPv6 /64 round trip: %v %v", m, err)
	}
	if _, err := decodeNetmask(IPv4, []byte{255, 0, 255, 0}); !errors.Is(err, ErrMalformed) {
		t.Errorf("non-contiguous mask: %v", err)
	}
}

func TestDecodeDestinationRoundTrip(t *testing.T) {
	cases := []Destination{
		{Key: NewDestinationKey(netip.MustParseAddr("198.51.100.21"), 80), Config: DestinationConfig{Forward: ForwardDirect, Weight: MaxWeight, UpperThreshold: 10, LowerThreshold: 5}},
		{Key: NewDestinationKey(netip.MustParseAddr("2001:db8::21"), 8080), Config: DestinationConfig{Forward: ForwardTunnel, Weight: 1, TunnelType: TunnelGUE, TunnelPort: 6080, TunnelFlags: TunnelCsum}},
		{Key: NewDestinationKey(netip.MustParseAddr("198.51.100.22"), 0), Config: DestinationConfig{Forward: ForwardNAT, Weight: 1 << 31}},
	}
	for _, want := range cases {
		ae := netlink.NewAttributeEncoder()
		encodeDestKey(ae, want.Key)
		encodeDestConfig(ae, want.Config)
		ae.Uint32(wire.DestActiveConns, 3)
		b, _ := ae.Encode()
		got, err := decodeDestination(b, IPv4)
		if err != nil {
			t.Fatalf("%s: %v", want.Key, err)
		}
		if got.Key != want.Key || got.Config != want.Config || got.Conns.Active != 3 {
			t.Errorf("decoded %+v, want %+v", got, want)
		}
	}
}

func TestDecodeDestinationDefaultsToServiceFamily(t *testing.T) {
	ae := netlink.NewAttributeEncoder()
	ae.Bytes(wire.DestAddr, addrBytes(netip.MustParseAddr("2001:db8::21")))
	ae.Bytes(wire.DestPort, be16(80))
	ae.Uint32(wire.DestFwdMethod, uint32(ForwardDirect))
	b, _ := ae.Encode()
	got, err := decodeDestination(b, IPv6)
	if err != nil || got.Key != NewDestinationKey(netip.MustParseAddr("2001:db8::21"), 80) {
		t.Fatalf("got %+v, %v", got.Key, err)
	}
}

func TestDecodeStats32Fallback(t *testing.T) {
	ae := netlink.NewAttributeEncoder()
	ae.Uint32(wire.StatsConns, 9)
	ae.Uint64(wire.StatsOutBytes, 1<<33)
	b, _ := ae.Encode()
	s, err := decodeStatsPair(b, nil)
	if err != nil || s.Is64 || s.Conns != 9 || s.OutBytes != 1<<33 {
		t.Fatalf("stats %+v, %v", s, err)
	}
}

func TestDecodeMalformed(t *testing.T) {
	good := serviceNest(t, NewServiceKey(TCP, netip.MustParseAddr("192.0.2.10"), 80), ServiceConfig{Scheduler: "rr"})
	for n := range 24 { // cut inside the AF/PROTOCOL/ADDR attributes
		if _, err := decodeService(good[:n]); err == nil {
			t.Errorf("service truncated to %d bytes decoded", n)
		}
	}
	for _, b := range [][]byte{nil, {1}, {4, 0, 1, 0}, {8, 0, 1, 0, 2}} {
		if _, err := decodeService(b); err == nil {
			t.Errorf("decodeService(% x) succeeded", b)
		}
		if _, err := decodeDestination(b, IPv4); err == nil {
			t.Errorf("decodeDestination(% x) succeeded", b)
		}
	}
}
