package kernel

import (
	"net/netip"
	"strconv"

	"github.com/seesaw-lb/seesaw/kernel/internal/wire"
)

// DestinationKey identifies a destination (real server) within a service.
// It is comparable. Build it with NewDestinationKey.
type DestinationKey struct {
	Family Family // may differ from the service's only for tunnel forwarding
	Addr   netip.Addr
	Port   uint16
}

// NewDestinationKey returns the key of the destination addr:port.
func NewDestinationKey(addr netip.Addr, port uint16) DestinationKey {
	addr = addr.Unmap().WithZone("")
	return DestinationKey{Family: FamilyOf(addr), Addr: addr, Port: port}
}

// String renders the key as "198.51.100.21:80" or "[2001:db8::21]:80".
func (k DestinationKey) String() string {
	return netip.AddrPortFrom(k.Addr, k.Port).String()
}

// ForwardMethod is how packets reach a destination (IP_VS_CONN_F_FWD_MASK).
type ForwardMethod uint32

// Forwarding methods.
const (
	ForwardNAT       ForwardMethod = 0 // masquerading
	ForwardLocal     ForwardMethod = 1 // local node
	ForwardTunnel    ForwardMethod = 2 // ipip / gue / gre
	ForwardDirect    ForwardMethod = 3 // direct routing (gatewaying)
	ForwardBypass    ForwardMethod = 4
	forwardMethodMax               = wire.ForwardMask
)

// String returns "nat", "local", "tunnel", "dr", "bypass".
func (m ForwardMethod) String() string {
	switch m {
	case ForwardNAT:
		return "nat"
	case ForwardLocal:
		return "local"
	case ForwardTunnel:
		return "tunnel"
	case ForwardDirect:
		return "dr"
	case ForwardBypass:
		return "bypass"
	}
	return "fwd" + strconv.Itoa(int(m))
}

// TunnelType is the encapsulation of a tunnel destination.
type TunnelType uint8

// Tunnel types.
const (
	TunnelIPIP TunnelType = 0
	TunnelGUE  TunnelType = 1
	TunnelGRE  TunnelType = 2
)

// String returns "ipip", "gue" or "gre".
func (t TunnelType) String() string {
	switch t {
	case TunnelIPIP:
		return "ipip"
	case TunnelGUE:
		return "gue"
	case TunnelGRE:
		return "gre"
	}
	return "tun" + strconv.Itoa(int(t))
}

// TunnelFlags are the encapsulation checksum flags of a tunnel destination.
type TunnelFlags uint16

// Tunnel checksum flags (zero = no checksum).
const (
	TunnelCsum    TunnelFlags = 0x1
	TunnelRemCsum TunnelFlags = 0x2
)

// MaxWeight is the largest weight the kernel accepts: it stores weights in a
// signed int, so 2^31 and above are rejected with ERANGE.
const MaxWeight = 1<<31 - 1

// MaxThreshold is the largest connection threshold the kernel accepts;
// larger values are rejected with EINVAL.
const MaxThreshold = 1<<31 - 1

// DestinationConfig is the settable part of a destination.
type DestinationConfig struct {
	Forward        ForwardMethod
	Weight         uint32 // 0 = quiesced; at most MaxWeight
	UpperThreshold uint32 // connection upper threshold, 0 = none; at most MaxThreshold
	LowerThreshold uint32 // connection lower threshold, at most UpperThreshold
	TunnelType     TunnelType
	TunnelPort     uint16 // required (non-zero) for GUE
	TunnelFlags    TunnelFlags
}

// Destination is a real server as read from the kernel.
type Destination struct {
	Key    DestinationKey
	Config DestinationConfig
	Conns  Conns
	Stats  Stats
	// ListPos is the destination's place in its service's list in the
	// kernel, counted from the oldest: 1 was added first, and each add
	// goes to the head with the next number. The kernel dumps the list
	// newest first (descending ListPos), and the dh, sh and mh schedulers
	// build their tables by walking it, so the list order decides where a
	// flow goes. 0 means unknown: the destination was not read from a
	// kernel.
	ListPos int
}

// Conns are a destination's current connection counts.
type Conns struct {
	Active     uint32
	Inactive   uint32
	Persistent uint32
}
