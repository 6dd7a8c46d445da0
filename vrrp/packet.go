package vrrp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
)

// Protocol constants from RFC 9568.
const (
	// IPProtocol is the IP protocol number of VRRP.
	IPProtocol = 112
	// TTL is the only IPv4 TTL / IPv6 hop limit a VRRP packet may carry.
	TTL = 255
	// Version is the VRRP version this package speaks.
	Version = 3
	// TypeAdvertisement is the only VRRP packet type.
	TypeAdvertisement = 1
	// HeaderLen is the length of the fixed part of an advertisement.
	HeaderLen = 8
	// MaxAdvertInterval is the largest interval the 12-bit field holds, in centiseconds.
	MaxAdvertInterval = 0x0fff
)

// Multicast groups adverts are sent to when no unicast peers are configured.
var (
	GroupIPv4 = netip.MustParseAddr("224.0.0.18")
	GroupIPv6 = netip.MustParseAddr("ff02::12")
)

// ErrEncode is returned when an advert cannot be represented on the wire.
var ErrEncode = errors.New("invalid advertisement")

// Advert is a decoded VRRPv3 ADVERTISEMENT.
type Advert struct {
	VRID     uint8
	Priority uint8
	// Interval is the Max Advertise Interval in centiseconds (12 bits).
	Interval uint16
	// Addrs are the virtual addresses, all of one family.
	Addrs []netip.Addr
}

// AppendMarshal appends the wire form of a, with the checksum computed over
// the pseudo-header of src and dst, to b.
func (a Advert) AppendMarshal(b []byte, src, dst netip.Addr) ([]byte, error) {
	if err := a.checkEncodable(src, dst); err != nil {
		return b, err
	}
	start := len(b)
	b = append(b, Version<<4|TypeAdvertisement, a.VRID, a.Priority, uint8(len(a.Addrs)))
	b = binary.BigEndian.AppendUint16(b, a.Interval&MaxAdvertInterval)
	b = append(b, 0, 0)
	for _, ip := range a.Addrs {
		b = append(b, ip.AsSlice()...)
	}
	sum := checksum(b[start:], src, dst)
	binary.BigEndian.PutUint16(b[start+6:], sum)
	return b, nil
}

func (a Advert) checkEncodable(src, dst netip.Addr) error {
	if src.Is4() != dst.Is4() || !src.IsValid() || !dst.IsValid() {
		return fmt.Errorf("encode advert for VRID %d from %s to %s: %w: mixed or missing addresses", a.VRID, src, dst, ErrEncode)
	}
	if len(a.Addrs) > 255 {
		return fmt.Errorf("encode advert for VRID %d: %w: %d addresses, at most 255", a.VRID, ErrEncode, len(a.Addrs))
	}
	if a.Interval == 0 || a.Interval > MaxAdvertInterval {
		return fmt.Errorf("encode advert for VRID %d: %w: interval %d cs outside 1..%d", a.VRID, ErrEncode, a.Interval, MaxAdvertInterval)
	}
	for _, ip := range a.Addrs {
		if ip.Is4() != src.Is4() || ip.Is4In6() {
			return fmt.Errorf("encode advert for VRID %d: %w: address %s is not of the packet's family", a.VRID, ErrEncode, ip)
		}
	}
	return nil
}

// ParseAdvert decodes and checks the VRRP part of a packet received from src
// to dst (which select the family and the checksum's pseudo-header). Every
// error wraps the DropReason that names the failed check.
func ParseAdvert(b []byte, src, dst netip.Addr) (Advert, error) {
	if len(b) < HeaderLen {
		return Advert{}, fmt.Errorf("decode advert from %s: %d bytes: %w", src, len(b), DropTruncated)
	}
	if v := b[0] >> 4; v != Version {
		return Advert{}, fmt.Errorf("decode advert from %s: version %d: %w", src, v, DropVersion)
	}
	if t := b[0] & 0x0f; t != TypeAdvertisement {
		return Advert{}, fmt.Errorf("decode advert from %s: type %d: %w", src, t, DropType)
	}
	alen := 16
	if src.Is4() {
		alen = 4
	}
	count := int(b[3])
	if want := HeaderLen + count*alen; len(b) != want {
		return Advert{}, fmt.Errorf("decode advert from %s: count %d needs %d bytes, got %d: %w", src, count, want, len(b), DropAddrCount)
	}
	if checksum(b, src, dst) != 0 {
		return Advert{}, fmt.Errorf("decode advert from %s: %w", src, DropChecksum)
	}
	a := Advert{VRID: b[1], Priority: b[2], Interval: binary.BigEndian.Uint16(b[4:]) & MaxAdvertInterval}
	if a.Interval == 0 {
		return Advert{}, fmt.Errorf("decode advert from %s: zero interval: %w", src, DropInterval)
	}
	a.Addrs = make([]netip.Addr, count)
	for i := range a.Addrs {
		raw := b[HeaderLen+i*alen : HeaderLen+(i+1)*alen]
		a.Addrs[i], _ = netip.AddrFromSlice(raw)
	}
	return a, nil
}
