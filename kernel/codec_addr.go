package kernel

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// addrBytes returns the 4- or 16-byte form of a; the kernel zero-fills.
func addrBytes(a netip.Addr) []byte {
	if a.Is4() {
		b := a.As4()
		return b[:]
	}
	b := a.As16()
	return b[:]
}

// decodeAddr decodes an nf_inet_addr by family, never by length: replies
// carry 16 bytes even for IPv4.
func decodeAddr(f Family, b []byte) (netip.Addr, error) {
	switch f {
	case IPv4:
		if len(b) < 4 {
			return netip.Addr{}, fmt.Errorf("%w: %d-byte IPv4 address", ErrMalformed, len(b))
		}
		return netip.AddrFrom4([4]byte(b[:4])), nil
	case IPv6:
		if len(b) < 16 {
			return netip.Addr{}, fmt.Errorf("%w: %d-byte IPv6 address", ErrMalformed, len(b))
		}
		return netip.AddrFrom16([16]byte(b[:16])), nil
	}
	return netip.Addr{}, fmt.Errorf("%w: address of unknown family %d", ErrMalformed, f)
}

func be16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }

func decodeBE16(b []byte) (uint16, error) {
	if len(b) != 2 {
		return 0, fmt.Errorf("%w: %d-byte port", ErrMalformed, len(b))
	}
	return binary.BigEndian.Uint16(b), nil
}
