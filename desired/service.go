package desired

import (
	"net/netip"
	"time"
)

// Service is one load-balanced service: a VIP with one or more ports (each
// becomes one IPVS virtual service), or a firewall mark (one IPVS fwmark
// service), with its backends and checks.
type Service struct {
	// Name is unique across all files.
	Name string
	// VIP is the virtual address; for fwmark services it is optional and, when
	// valid, is the address the master holds.
	VIP netip.Addr
	// Fwmark is the firewall mark of an fwmark service (0: a VIP service).
	Fwmark uint32
	// IPv6 is the address family of the service (from the VIP, or the
	// `family` key of an fwmark service without VIP).
	IPv6 bool
	// Ports are the protocol/port pairs, sorted by protocol then port. For a
	// VIP service each is one IPVS service; for an fwmark service they only
	// describe the marked traffic (and give checks a default port).
	Ports []Port
	// Interface is where the VIP is added (default: the node's first interface).
	Interface string
	// VRRPInstance names the VRRP instance whose master holds the VIP (the
	// node's only instance when not written; "" on a standalone node).
	VRRPInstance string
	// Scheduler is the IPVS scheduler name (rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh twos).
	Scheduler string
	// SchedulerFlags are the scheduler-specific flags (sh/mh fallback and port).
	SchedulerFlags SchedulerFlags
	// Forward is the default forwarding method of the backends.
	Forward Forward
	// Tunnel is the tunnel encapsulation when Forward is ForwardTunnel.
	Tunnel Tunnel
	// Persistence makes clients stick to one backend; nil means none.
	Persistence *Persistence
	// OnePacket schedules each UDP datagram independently (IPVS one-packet).
	OnePacket bool
	// Watermarks decide, with hysteresis, whether the service is up.
	Watermarks Watermarks
	// DrainTimeout is how long a backend removed from config drains at weight 0.
	DrainTimeout time.Duration
	// OnUnhealthy is what happens to an unhealthy backend: drain or remove.
	OnUnhealthy OnUnhealthy
	// Checks are the service's checks, inline and resolved shared ones, in written order.
	Checks []Check
	// Backends are sorted by address then port.
	Backends []Backend
	// Fallback are the sorry servers, used only while no backend has
	// traffic; sorted by address then port.
	Fallback []Fallback
	// Source is where the service was written (its source file is shown in status).
	Source Source
}

// Protocol is a transport protocol of a service port.
type Protocol string

// The protocols IPVS balances.
const (
	TCP  Protocol = "tcp"
	UDP  Protocol = "udp"
	SCTP Protocol = "sctp"
)

// Port is one protocol/port pair of a service.
type Port struct {
	Proto Protocol
	Port  uint16
}

// SchedulerFlags are IPVS's scheduler flags (IP_VS_SVC_F_SCHED1..3), named as
// the sh and mh schedulers use them.
type SchedulerFlags struct {
	// Fallback (sh-fallback / mh-fallback, SCHED1) picks another backend when
	// the hashed one is unavailable.
	Fallback bool
	// Port (sh-port / mh-port, SCHED2) includes the source port in the hash.
	Port bool
}

// Forward is an IPVS forwarding method.
type Forward string

// The forwarding methods.
const (
	ForwardNAT    Forward = "nat"
	ForwardDR     Forward = "dr"
	ForwardTunnel Forward = "tunnel"
)

// TunnelType is the encapsulation of tunnel forwarding.
type TunnelType string

// The tunnel encapsulations IPVS supports.
const (
	TunnelIPIP TunnelType = "ipip"
	TunnelGUE  TunnelType = "gue"
	TunnelGRE  TunnelType = "gre"
)

// TunnelChecksum is the checksum mode of gue/gre tunnels.
type TunnelChecksum string

// The tunnel checksum modes (IP_VS_TUNNEL_ENCAP_FLAG_*); "" is the kernel default.
const (
	ChecksumNone   TunnelChecksum = ""
	ChecksumNoCsum TunnelChecksum = "nocsum"
	ChecksumCsum   TunnelChecksum = "csum"
	ChecksumRemote TunnelChecksum = "remcsum"
)

// Tunnel is the tunnel encapsulation of a tunnel-forwarded service.
type Tunnel struct {
	Type TunnelType
	// Port is the GUE destination port (only for gue).
	Port uint16
	// Checksum is the gue/gre checksum mode.
	Checksum TunnelChecksum
}

// Persistence is IPVS client persistence.
type Persistence struct {
	// Timeout is how long a client stays with its backend after its last connection.
	Timeout time.Duration
	// PrefixLen groups clients by source prefix (32 / 128: each client alone).
	PrefixLen int
	// Engine is the persistence engine ("" or "sip").
	Engine string
}

// Watermarks are the healthy-backend shares (0..1) below which the service
// goes down (Low) and above which it comes back (High). Zero values: always up.
type Watermarks struct {
	Low  float64
	High float64
}

// OnUnhealthy is what the reconciler does with an unhealthy backend.
type OnUnhealthy string

// The unhealthy-backend policies.
const (
	// Drain sets the destination's weight to 0; established connections continue.
	Drain OnUnhealthy = "drain"
	// Remove deletes the destination.
	Remove OnUnhealthy = "remove"
)

// Backend is one real server of a service.
type Backend struct {
	Address netip.Addr
	// Port is the destination port (0: the service port of each IPVS service).
	Port uint16
	// Weight is the configured weight (0..65535) while enabled and healthy.
	Weight int32
	// UpperThreshold is the connection limit (0: none).
	UpperThreshold uint32
	// LowerThreshold is the connection count under which a backend over its
	// upper threshold gets traffic again (0: none).
	LowerThreshold uint32
	// Enabled is false for a backend taken out of service by config.
	Enabled bool
	// Forward is the forwarding method for this backend (default: the service's).
	Forward Forward
	// Source is where the backend was written.
	Source Source
}
