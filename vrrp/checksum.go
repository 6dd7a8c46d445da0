package vrrp

import "net/netip"

// checksum returns the Internet checksum of msg preceded by the IPv4 or IPv6
// pseudo-header (RFC 9568 section 5.2.8: VRRPv3 covers the pseudo-header for
// both families). Over a message whose checksum field is filled it returns 0.
func checksum(msg []byte, src, dst netip.Addr) uint16 {
	var sum uint32
	add := func(b []byte) {
		for len(b) >= 2 {
			sum += uint32(b[0])<<8 | uint32(b[1])
			b = b[2:]
		}
		if len(b) == 1 {
			sum += uint32(b[0]) << 8
		}
	}
	if src.Is4() {
		s, d := src.As4(), dst.As4()
		add(s[:])
		add(d[:])
	} else {
		s, d := src.As16(), dst.As16()
		add(s[:])
		add(d[:])
	}
	// Zero, protocol and length land in the same 16-bit columns for both
	// layouts, as the upper-layer length never exceeds 16 bits here.
	sum += IPProtocol + uint32(len(msg))
	add(msg)
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}
