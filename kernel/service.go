package kernel

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"

	"github.com/seesaw-lb/seesaw/kernel/internal/wire"
)

// Family is an IPVS address family: IPv4 (AF_INET) or IPv6 (AF_INET6).
type Family uint16

// The address families IPVS knows.
const (
	IPv4 Family = 2  // AF_INET
	IPv6 Family = 10 // AF_INET6
)

// String returns "inet" or "inet6" (or the number for an unknown family).
func (f Family) String() string {
	switch f {
	case IPv4:
		return "inet"
	case IPv6:
		return "inet6"
	}
	return "family(" + strconv.Itoa(int(f)) + ")"
}

// FamilyOf returns the family of a (possibly 4-in-6 mapped) address: mapped
// addresses count as IPv4, as the kernel sees them.
func FamilyOf(a netip.Addr) Family {
	if a.Unmap().Is4() {
		return IPv4
	}
	return IPv6
}

// Protocol is the transport protocol of a service.
type Protocol uint16

// The protocols IPVS balances.
const (
	TCP  Protocol = 6
	UDP  Protocol = 17
	SCTP Protocol = 132
)

// String returns "tcp", "udp", "sctp" (or the number for another protocol).
func (p Protocol) String() string {
	switch p {
	case TCP:
		return "tcp"
	case UDP:
		return "udp"
	case SCTP:
		return "sctp"
	}
	return "proto" + strconv.Itoa(int(p))
}

// ServiceKey identifies a virtual service: (family, protocol, address, port)
// or, when FWMark is non-zero, (family, firewall mark). It is comparable, so it
// can key a map. Build it with NewServiceKey or NewFWMarkKey so that the
// address is in canonical form (unmapped, no zone).
type ServiceKey struct {
	Family   Family
	Protocol Protocol   // zero for fwmark services
	Addr     netip.Addr // invalid (zero) for fwmark services
	Port     uint16     // 0 = every port; zero for fwmark services
	FWMark   uint32     // non-zero selects a firewall-mark service
}

// NewServiceKey returns the key of the service proto/addr:port.
func NewServiceKey(proto Protocol, addr netip.Addr, port uint16) ServiceKey {
	addr = addr.Unmap().WithZone("")
	return ServiceKey{Family: FamilyOf(addr), Protocol: proto, Addr: addr, Port: port}
}

// NewFWMarkKey returns the key of the firewall-mark service mark in family f.
func NewFWMarkKey(f Family, mark uint32) ServiceKey {
	return ServiceKey{Family: f, FWMark: mark}
}

// IsFWMark reports whether the key names a firewall-mark service.
func (k ServiceKey) IsFWMark() bool { return k.FWMark != 0 }

// String renders the key as "tcp/192.0.2.10:80", "udp/[2001:db8::1]:53",
// "fwmark/5" (IPv4) or "fwmark6/5" (IPv6).
func (k ServiceKey) String() string {
	if k.IsFWMark() {
		if k.Family == IPv6 {
			return "fwmark6/" + strconv.FormatUint(uint64(k.FWMark), 10)
		}
		return "fwmark/" + strconv.FormatUint(uint64(k.FWMark), 10)
	}
	return k.Protocol.String() + "/" + netip.AddrPortFrom(k.Addr, k.Port).String()
}

// ServiceFlags are the IP_VS_SVC_F_* service flags.
type ServiceFlags uint32

// Service flags. The kernel-internal HASHED flag (0x2) is never reported: the
// decoder masks it.
const (
	FlagPersistent ServiceFlags = 0x0001 // persistence (uses Timeout, Netmask)
	FlagOnePacket  ServiceFlags = 0x0004 // one-packet scheduling (UDP)
	FlagSched1     ServiceFlags = 0x0008 // sh/mh: fallback to another server
	FlagSched2     ServiceFlags = 0x0010 // sh/mh: hash the source port too
	FlagSched3     ServiceFlags = 0x0020 // scheduler specific, unused in-tree

	flagHashed ServiceFlags = wire.FlagHashed // kernel-internal, masked on decode
)

// Scheduler-flag aliases used by the sh and mh schedulers.
const (
	FlagSchedFallback = FlagSched1
	FlagSchedPort     = FlagSched2
)

// Netmask is the persistence granularity of a service. Its zero value is the
// full length of the service's family (/32 or /128), which is also what the
// decoder returns for a full-length mask, so defaults round-trip.
type Netmask struct {
	bits uint8
	set  bool
}

// PrefixNetmask returns a netmask of the given prefix length (0..32 for IPv4,
// 0..128 for IPv6; IPv6 accepts only 1..128 in the kernel).
func PrefixNetmask(bits int) Netmask { return Netmask{bits: uint8(bits), set: true} }

// Bits returns the prefix length for family f.
func (m Netmask) Bits(f Family) int {
	if m.set {
		return int(m.bits)
	}
	return fullBits(f)
}

// Normalize returns the zero Netmask when m is the full length of family f.
func (m Netmask) Normalize(f Family) Netmask {
	if m.set && int(m.bits) == fullBits(f) {
		return Netmask{}
	}
	return m
}

func fullBits(f Family) int {
	if f == IPv6 {
		return 128
	}
	return 32
}

// String renders the mask as ipvsadm does: dotted quad for IPv4, the prefix
// length for IPv6.
func (m Netmask) String(f Family) string {
	bits := m.Bits(f)
	if f == IPv6 {
		return strconv.Itoa(bits)
	}
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], ipv4Mask(bits))
	return netip.AddrFrom4(b).String()
}

// ServiceConfig is the settable part of a service.
type ServiceConfig struct {
	Scheduler string       // rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh twos; "none" = unbound
	Flags     ServiceFlags // HASHED is never set here
	Timeout   uint32       // persistence timeout in seconds (used with FlagPersistent)
	Netmask   Netmask      // persistence granularity; zero = full length
	PEName    string       // persistence engine ("sip") or empty
}

// Service is a virtual service as read from the kernel: identity, settings,
// observed counters and its destinations.
type Service struct {
	Key          ServiceKey
	Config       ServiceConfig
	Stats        Stats
	Destinations []Destination
}

// String renders the service key.
func (s Service) String() string { return fmt.Sprint(s.Key) }

// ipv4Mask returns the IPv4 mask of a prefix length as a host integer.
func ipv4Mask(bits int) uint32 {
	if bits <= 0 {
		return 0
	}
	if bits >= 32 {
		return 0xffffffff
	}
	return ^uint32(0) << (32 - bits)
}
