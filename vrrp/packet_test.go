package vrrp

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"slices"
	"testing"
)

var (
	src4 = netip.MustParseAddr("192.0.2.11")
	src6 = netip.MustParseAddr("fe80::11")
	vip4 = netip.MustParseAddr("192.0.2.10")
	vip6 = netip.MustParseAddr("2001:db8::10")
)

// pseudoSum is an independent, byte-by-byte RFC 1071 checksum over an
// explicitly built pseudo-header, to cross-check checksum().
func pseudoSum(msg []byte, src, dst netip.Addr) uint16 {
	var ph []byte
	if src.Is4() {
		ph = append(ph, src.AsSlice()...)
		ph = append(ph, dst.AsSlice()...)
		ph = append(ph, 0, IPProtocol)
		ph = binary.BigEndian.AppendUint16(ph, uint16(len(msg)))
	} else {
		ph = append(ph, src.AsSlice()...)
		ph = append(ph, dst.AsSlice()...)
		ph = binary.BigEndian.AppendUint32(ph, uint32(len(msg)))
		ph = append(ph, 0, 0, 0, IPProtocol)
	}
	all := append(ph, msg...)
	if len(all)%2 == 1 {
		all = append(all, 0)
	}
	var sum uint64
	for i := 0; i < len(all); i += 2 {
		sum += uint64(binary.BigEndian.Uint16(all[i:]))
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

func TestMarshalLayout(t *testing.T) {
	a := Advert{VRID: 60, Priority: 200, Interval: 10, Addrs: []netip.Addr{vip4, netip.MustParseAddr("192.0.2.20")}}
	b, err := a.AppendMarshal(nil, src4, GroupIPv4)
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{0x31, 60, 200, 2, 0, 10, 0, 0, 192, 0, 2, 10, 192, 0, 2, 20}
	sum := binary.BigEndian.Uint16(b[6:])
	if !slices.Equal(b[:6], want[:6]) || !slices.Equal(b[8:], want[8:]) {
		t.Fatalf("layout:\n got % x\nwant % x", b, want)
	}
	if exp := pseudoSum(want, src4, GroupIPv4); sum != exp {
		t.Fatalf("checksum %#04x, independent computation says %#04x", sum, exp)
	}
}

func TestRoundTrip(t *testing.T) {
	cases := []struct {
		name     string
		src, dst netip.Addr
		a        Advert
	}{
		{"ipv4 multicast", src4, GroupIPv4, Advert{VRID: 1, Priority: 100, Interval: 100, Addrs: []netip.Addr{vip4}}},
		{"ipv4 unicast", src4, netip.MustParseAddr("192.0.2.12"), Advert{VRID: 255, Priority: 255, Interval: 4095, Addrs: []netip.Addr{vip4}}},
		{"ipv4 shutdown", src4, GroupIPv4, Advert{VRID: 7, Priority: 0, Interval: 1, Addrs: []netip.Addr{vip4}}},
		{"ipv4 no addresses", src4, GroupIPv4, Advert{VRID: 7, Priority: 1, Interval: 1, Addrs: []netip.Addr{}}},
		{"ipv6 multicast", src6, GroupIPv6, Advert{VRID: 60, Priority: 150, Interval: 10, Addrs: []netip.Addr{vip6, netip.MustParseAddr("2001:db8::20")}}},
		{"ipv6 unicast", src6, netip.MustParseAddr("fe80::12"), Advert{VRID: 2, Priority: 254, Interval: 3, Addrs: []netip.Addr{vip6}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := c.a.AppendMarshal([]byte{0xee}, c.src, c.dst)
			if err != nil {
				t.Fatal(err)
			}
			if b[0] != 0xee {
				t.Fatal("AppendMarshal overwrote the prefix")
			}
			if pseudoSum(b[1:], c.src, c.dst) != 0 {
				t.Fatal("independent checksum verification failed")
			}
			got, err := ParseAdvert(b[1:], c.src, c.dst)
			if err != nil {
				t.Fatal(err)
			}
			if got.VRID != c.a.VRID || got.Priority != c.a.Priority || got.Interval != c.a.Interval || !slices.Equal(got.Addrs, c.a.Addrs) {
				t.Fatalf("got %+v, want %+v", got, c.a)
			}
		})
	}
}

func TestMarshalRejects(t *testing.T) {
	many := make([]netip.Addr, 256)
	for i := range many {
		many[i] = vip4
	}
	cases := []struct {
		name     string
		src, dst netip.Addr
		a        Advert
	}{
		{"mixed src dst", src4, GroupIPv6, Advert{VRID: 1, Interval: 1}},
		{"zero interval", src4, GroupIPv4, Advert{VRID: 1, Interval: 0}},
		{"interval too large", src4, GroupIPv4, Advert{VRID: 1, Interval: 4096}},
		{"too many addresses", src4, GroupIPv4, Advert{VRID: 1, Interval: 1, Addrs: many}},
		{"ipv6 vip in ipv4 advert", src4, GroupIPv4, Advert{VRID: 1, Interval: 1, Addrs: []netip.Addr{vip6}}},
		{"invalid src", netip.Addr{}, GroupIPv4, Advert{VRID: 1, Interval: 1}},
	}
	for _, c := range cases {
		if _, err := c.a.AppendMarshal(nil, c.src, c.dst); !errors.Is(err, ErrEncode) {
			t.Errorf("%s: err = %v, want ErrEncode", c.name, err)
		}
	}
}

// fixSum recomputes the checksum of a hand-edited packet.
func fixSum(b []byte, src, dst netip.Addr) []byte {
	b[6], b[7] = 0, 0
	binary.BigEndian.PutUint16(b[6:], checksum(b, src, dst))
	return b
}

func TestParseDrops(t *testing.T) {
	good := func() []byte {
		b, _ := Advert{VRID: 60, Priority: 100, Interval: 10, Addrs: []netip.Addr{vip4}}.AppendMarshal(nil, src4, GroupIPv4)
		return b
	}
	cases := []struct {
		name string
		b    []byte
		want DropReason
	}{
		{"empty", nil, DropTruncated},
		{"seven bytes", good()[:7], DropTruncated},
		{"version 2", fixSum(append([]byte{0x21}, good()[1:]...), src4, GroupIPv4), DropVersion},
		{"type 2", fixSum(append([]byte{0x32}, good()[1:]...), src4, GroupIPv4), DropType},
		{"bad checksum", func() []byte { b := good(); b[7] ^= 1; return b }(), DropChecksum},
		{"address cut short", good()[:10], DropAddrCount},
		{"count claims more", fixSum(func() []byte { b := good(); b[3] = 3; return b }(), src4, GroupIPv4), DropAddrCount},
		{"count claims fewer", fixSum(func() []byte { b := good(); b[3] = 0; return b }(), src4, GroupIPv4), DropAddrCount},
		{"zero interval", fixSum(func() []byte { b := good(); b[4], b[5] = 0xf0, 0; return b }(), src4, GroupIPv4), DropInterval},
		{"ipv4 packet read as ipv6", good(), DropAddrCount},
	}
	for _, c := range cases {
		src, dst := src4, GroupIPv4
		if c.name == "ipv4 packet read as ipv6" {
			src, dst = src6, GroupIPv6
		}
		_, err := ParseAdvert(c.b, src, dst)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
}

func TestReservedBitsIgnored(t *testing.T) {
	b, _ := Advert{VRID: 60, Priority: 100, Interval: 10, Addrs: []netip.Addr{vip4}}.AppendMarshal(nil, src4, GroupIPv4)
	b[4] |= 0xf0 // the 4 reserved bits before Max Advert Int
	a, err := ParseAdvert(fixSum(b, src4, GroupIPv4), src4, GroupIPv4)
	if err != nil || a.Interval != 10 {
		t.Fatalf("got %+v, %v; want interval 10 and no error", a, err)
	}
}

func FuzzDecode(f *testing.F) {
	for _, a := range []Advert{
		{VRID: 60, Priority: 100, Interval: 10, Addrs: []netip.Addr{vip4}},
		{VRID: 1, Priority: 0, Interval: 4095},
	} {
		b, _ := a.AppendMarshal(nil, src4, GroupIPv4)
		f.Add(b, false)
	}
	b6, _ := Advert{VRID: 9, Priority: 255, Interval: 100, Addrs: []netip.Addr{vip6}}.AppendMarshal(nil, src6, GroupIPv6)
	f.Add(b6, true)
	f.Add([]byte{0x31, 1, 1, 200, 0, 1, 0, 0}, false)
	f.Fuzz(func(t *testing.T, b []byte, v6 bool) {
		src, dst := src4, GroupIPv4
		if v6 {
			src, dst = src6, GroupIPv6
		}
		a, err := ParseAdvert(b, src, dst)
		if err != nil {
			var r DropReason
			if !errors.As(err, &r) {
				t.Fatalf("error without a drop reason: %v", err)
			}
			return
		}
		out, err := a.AppendMarshal(nil, src, dst)
		if err != nil {
			t.Fatalf("re-encode of a decoded advert failed: %v", err)
		}
		// Reserved bits are not preserved; everything else is.
		in := slices.Clone(b)
		in[4] &= 0x0f
		if !slices.Equal(fixSum(in, src, dst), out) {
			t.Fatalf("re-encode differs:\n in % x\nout % x", in, out)
		}
	})
}
