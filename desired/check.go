package desired

import "time"

// CheckType is the kind of a health check.
type CheckType string

// The check types.
const (
	CheckICMP   CheckType = "icmp"
	CheckTCP    CheckType = "tcp"
	CheckTLS    CheckType = "tls"
	CheckUDP    CheckType = "udp"
	CheckHTTP   CheckType = "http"
	CheckHTTPS  CheckType = "https"
	CheckDNS    CheckType = "dns"
	CheckRADIUS CheckType = "radius"
)

// CheckMode is the path a check's packets take.
type CheckMode string

// The check modes.
const (
	// ModePlain connects to the backend's own address.
	ModePlain CheckMode = "plain"
	// ModeDSR connects to the VIP through a per-backend IPVS fwmark service
	// with direct-routing forwarding.
	ModeDSR CheckMode = "dsr"
	// ModeTunnel does the same with tunnel forwarding.
	ModeTunnel CheckMode = "tunnel"
)

// Check is one health check, applied to every backend of the services that
// use it. Only the options of its Type are set; the others are zero.
type Check struct {
	// Name is set for shared checks (top-level `checks:`) and optional inline.
	Name string
	Type CheckType
	// Port is the port checked (0: the backend's port, else the service port).
	Port uint16
	Mode CheckMode
	// Interval between checks while the state is stable.
	Interval time.Duration
	// Timeout of one check (at most Interval).
	Timeout time.Duration
	// FastInterval is used while the state is changing (rise/fall in progress).
	FastInterval time.Duration
	// DownInterval is used while the backend is down.
	DownInterval time.Duration
	// Rise is how many consecutive successes bring a backend up.
	Rise int
	// Fall is how many consecutive failures bring it down.
	Fall int
	// InitialUp is the state assumed before the first result.
	InitialUp bool
	// Send is the payload sent (tcp, tls, udp) after connecting.
	Send string
	// HalfOpen makes a tcp check without send or expect a half-open one:
	// SYN, then SYN-ACK (up) or RST (refused); no connection is established.
	HalfOpen bool
	// Expect is what a successful answer looks like.
	Expect Expect
	// TLS options (tls, https).
	TLS TLSOptions
	// HTTP options (http, https).
	HTTP HTTPOptions
	// DNS options (dns).
	DNS DNSOptions
	// RADIUS options (radius).
	RADIUS RADIUSOptions
	// Source is where the check was written.
	Source Source
}

// Expect describes a successful answer; which fields apply depends on the type.
type Expect struct {
	// Contains is a substring the reply (tcp, tls, udp) or body (http, https) must contain.
	Contains string
	// Regexp is a regular expression (RE2) the reply or body must match.
	Regexp string
	// Status are the accepted HTTP status ranges (http, https).
	Status []StatusRange
	// Rcode is the expected DNS response code name (NOERROR, NXDOMAIN, ...).
	Rcode string
	// Answers are the expected DNS answers (record data as text, sorted).
	Answers []string
	// Response is the expected RADIUS response: accept, reject or challenge.
	Response string
}

// StatusRange is an inclusive range of HTTP status codes.
type StatusRange struct {
	First int
	Last  int
}

// TLSOptions are the TLS settings of tls and https checks.
type TLSOptions struct {
	// ServerName is sent as SNI and verified (default: none sent, IP verified).
	ServerName string
	// CAFile is a PEM bundle to verify against (absolute path; "": system roots).
	CAFile string
	// Verify checks the certificate chain and name.
	Verify bool
}

// HTTPOptions are the request settings of http and https checks.
type HTTPOptions struct {
	Method string
	Path   string
	// Host is the Host header ("": the target address).
	Host string
	// Headers are extra request headers, sorted by name.
	Headers []Header
	// Proxy is an HTTP proxy URL ("": direct).
	Proxy string
	// ProxyAuth is "user:password" for the proxy, read from
	// `proxy_auth_file` (zero: none, or inline in Proxy).
	ProxyAuth Secret
	// ReuseConnections keeps connections open between checks.
	ReuseConnections bool
}

// Header is one HTTP header. Its value is either written inline (Value)
// or read from `value_file` (Secret), never both.
type Header struct {
	Name  string
	Value string
	// Secret is the value read from `value_file` ("": Value is the value).
	Secret Secret
}

// DNSOptions are the query settings of dns checks.
type DNSOptions struct {
	// Name is the fully qualified query name.
	Name string
	// Type is the query type name (A, AAAA, ...).
	Type string
	// Transport is udp or tcp.
	Transport Protocol
}

// RADIUSOptions are the Access-Request settings of radius checks.
type RADIUSOptions struct {
	User string
	// Password is read from `password_file`.
	Password Secret
	// Secret is the shared secret, read from `secret_file`.
	Secret Secret
}
