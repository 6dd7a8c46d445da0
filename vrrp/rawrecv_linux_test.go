package vrrp

import (
	"net/netip"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

func TestParseIPv4(t *testing.T) {
	hdr := []byte{0x45, 0xc0, 0, 28, 0, 0, 0, 0, 255, 112, 0, 0, 192, 0, 2, 11, 224, 0, 0, 18}
	pkt := append(append([]byte{}, hdr...), 1, 2, 3, 4, 5, 6, 7, 8, 9, 9) // 2 bytes beyond total length
	src, dst, ttl, payload, ok := parseIPv4(pkt)
	if !ok || src != netip.MustParseAddr("192.0.2.11") || dst != GroupIPv4 || ttl != 255 || len(payload) != 8 {
		t.Fatalf("got %v %v %d %v %v", src, dst, ttl, payload, ok)
	}
	for _, bad := range [][]byte{nil, hdr[:19], append([]byte{0x65}, hdr[1:]...), append([]byte{0x44}, hdr[1:]...),
		append(append([]byte{}, hdr[:2]...), append([]byte{0, 200}, hdr[4:]...)...)} {
		if _, _, _, _, ok := parseIPv4(bad); ok {
			t.Errorf("accepted % x", bad)
		}
	}
}

func TestStampAge(t *testing.T) {
	now := int64(1_000_000_000_000)
	cases := []struct {
		stamp int64
		want  time.Duration
	}{{now, 0}, {now - 3e6, 3 * time.Millisecond}, {now + 1e6, 0}, {now - 2e9, 0}}
	for _, c := range cases {
		if got := stampAge(c.stamp, now); got != c.want {
			t.Errorf("stamp %d: age %v, want %v", now-c.stamp, got, c.want)
		}
	}
}

func TestParseCmsgs(t *testing.T) {
	// An IPV6_HOPLIMIT and an IPV6_PKTINFO message, as the kernel lays them out.
	b := make([]byte, unix.CmsgSpace(4)+unix.CmsgSpace(20))
	h := (*unix.Cmsghdr)(unsafe.Pointer(&b[0]))
	h.Level, h.Type = unix.IPPROTO_IPV6, unix.IPV6_HOPLIMIT
	h.SetLen(unix.CmsgLen(4))
	b[unix.CmsgLen(0)] = 255
	off := unix.CmsgSpace(4)
	h2 := (*unix.Cmsghdr)(unsafe.Pointer(&b[off]))
	h2.Level, h2.Type = unix.IPPROTO_IPV6, unix.IPV6_PKTINFO
	h2.SetLen(unix.CmsgLen(20))
	g := GroupIPv6.As16()
	copy(b[off+unix.CmsgLen(0):], g[:])
	ci := parseCmsgs(b)
	if ci.hopLimit != 255 || ci.dst != GroupIPv6 || ci.age != 0 {
		t.Fatalf("got %+v", ci)
	}
}
