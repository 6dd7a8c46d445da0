package checks

import (
	"net/netip"
	"strconv"
	"time"
)

// Type names a kind of health check.
type Type string

// The check types the engine knows.
const (
	TypeICMP   Type = "icmp"
	TypeTCP    Type = "tcp"
	TypeTLS    Type = "tls"
	TypeUDP    Type = "udp"
	TypeHTTP   Type = "http"
	TypeHTTPS  Type = "https"
	TypeDNS    Type = "dns"
	TypeRADIUS Type = "radius"
)

// Target is where a check connects: an address and port, and the socket
// mark (SO_MARK) its packets carry. A non-zero Mark lets a check be steered
// through an IPVS fwmark service (DSR and tunnel mode checks).
type Target struct {
	// Address is the destination: a backend, or a VIP for steered checks.
	Address netip.Addr
	// Port is the destination port; ignored by icmp checks.
	Port uint16
	// Mark is the SO_MARK set on the check's socket; 0 sets none.
	Mark uint32
	// Source is the local address the check's socket is bound to; the zero
	// value lets the kernel choose. Checks steered through IPVS on the node
	// that holds the VIP need it, or the kernel picks the VIP itself as the
	// source and the backend drops the packet (docs/checks-through-ipvs.md).
	Source netip.Addr
}

// String renders the target as address:port, with the mark if any.
func (t Target) String() string {
	s := netip.AddrPortFrom(t.Address, t.Port).String()
	if t.Mark != 0 {
		s += " mark " + strconv.FormatUint(uint64(t.Mark), 10)
	}
	if t.Source.IsValid() {
		s += " from " + t.Source.String()
	}
	return s
}

// AddrPort returns the destination as a netip.AddrPort.
func (t Target) AddrPort() netip.AddrPort { return netip.AddrPortFrom(t.Address, t.Port) }

// State is the health of a target as decided by hysteresis.
type State uint8

// The states a target can be in.
const (
	// StateDown means the target is unhealthy (it failed Fall checks in a row,
	// or it has not yet passed Rise checks).
	StateDown State = iota
	// StateUp means the target is healthy.
	StateUp
)

// String returns "down" or "up".
func (s State) String() string {
	if s == StateUp {
		return "up"
	}
	return "down"
}

// Spec says how and how often to check: everything but the destination.
type Spec struct {
	// Type selects the checker.
	Type Type
	// Interval between checks while the state is stable and up.
	Interval time.Duration
	// Timeout bounds one check from dial to verdict.
	Timeout time.Duration
	// FastInterval is used while the target is changing state (a result
	// disagreed with the state but Rise/Fall is not reached yet); 0 means Interval.
	FastInterval time.Duration
	// DownInterval is used while the target is down and stable; 0 means Interval.
	DownInterval time.Duration
	// Rise is how many successes in a row bring a down target up (default 1).
	Rise int
	// Fall is how many failures in a row bring an up target down (default 1).
	Fall int
	// InitialState is the state before the first verdict (default StateDown).
	InitialState State

	// Send is written after connecting (tcp, tls, udp); empty sends nothing
	// (udp sends an empty datagram).
	Send string
	// Expect is matched against the reply (tcp, tls, udp) or the HTTP body.
	Expect Expect
	// HalfOpen makes a tcp check without Send or Expect a half-open one:
	// SYN, then the target's SYN-ACK (up) or RST (refused), and the host's
	// RST ends it; no connection is ever established (docs/checks.md,
	// "Half-open tcp checks"). Steered targets (Mark, Source) and engines
	// without CAP_NET_RAW connect instead.
	HalfOpen bool `json:",omitempty"`

	// TLS configures tls and https checks.
	TLS TLSOptions
	// HTTP configures http and https checks.
	HTTP HTTPOptions
	// DNS configures dns checks.
	DNS DNSOptions
	// RADIUS configures radius checks.
	RADIUS RADIUSOptions
}

// Expect matches a reply: both fields must match; empty fields match anything.
type Expect struct {
	// Contains must occur in the reply.
	Contains string
	// Regexp is a regular expression (RE2 syntax) that must match the reply.
	Regexp string
}

// TLSOptions configures certificate verification for tls and https checks.
type TLSOptions struct {
	// ServerName is sent as SNI and verified against the certificate; empty
	// uses Host (https) or verifies the certificate against the target address.
	ServerName string
	// CAPEM holds the CA certificates to verify against, PEM-encoded; empty
	// uses the system roots.
	CAPEM string
	// SkipVerify disables certificate verification. It is the inverse of
	// the configuration's `verify` so that the zero value verifies.
	SkipVerify bool
	// MinVersion is the lowest TLS version accepted (crypto/tls constant);
	// 0 means TLS 1.2.
	MinVersion uint16
}

// HTTPOptions configures http and https checks.
type HTTPOptions struct {
	// Method is the request method (default GET).
	Method string
	// Path is the request target (default "/"); it may carry a query.
	Path string
	// Host is the Host header (default: the target address).
	Host string
	// Headers are extra request headers, sent in order.
	Headers []Header
	// Statuses are the accepted status codes (default 200-299).
	Statuses []StatusRange
	// Proxy is an http:// proxy URL to send the request through; empty connects directly.
	Proxy string
	// ReuseConnections keeps the connection open between checks.
	ReuseConnections bool
}

// Header is one HTTP request header.
type Header struct {
	Name  string
	Value string
}

// StatusRange is an inclusive range of HTTP status codes; First == Last for one code.
type StatusRange struct {
	First int
	Last  int
}

// DNSOptions configures dns checks.
type DNSOptions struct {
	// Name is the query name (made fully qualified).
	Name string
	// Type is the query type by name, e.g. "A", "AAAA", "SRV" (default "A").
	Type string
	// Rcode is the expected response code by name (default "NOERROR").
	Rcode string
	// Answers must all be present among the answer records' data, e.g.
	// "192.0.2.1" for A or "10 5 80 www.example.org." for SRV.
	Answers []string
	// Transport is "udp" (default) or "tcp".
	Transport string
}

// RADIUSOptions configures radius checks.
type RADIUSOptions struct {
	User     string
	Password string
	Secret   string
	// NASIdentifier is sent as NAS-Identifier when set.
	NASIdentifier string
	// Expect is the expected reply: "accept" (default), "reject" or "challenge".
	Expect string
}

// Check is one health check of one target: the unit the engine schedules.
// Spec is a pointer so that the many targets of one service share one
// Spec value; the engine never modifies it.
type Check struct {
	Target Target
	Spec   *Spec
	// StartDown makes the check start down when the engine adds it,
	// whatever Spec.InitialState says: a restart that knows the target was
	// down last time. It is not part of the Key, and a check the engine
	// already runs keeps its state.
	StartDown bool
}
