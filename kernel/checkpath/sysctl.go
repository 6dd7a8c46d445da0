package checkpath

// AcceptLocalSysctl lets IPv4 packets whose source is a local address be
// received on any interface (IN_DEV_ACCEPT_LOCAL ORs "all" with each
// interface). A node holding a VIP (the master) needs it for dsr/tunnel
// checks: the backend answers from the VIP, which is local there, and
// without it the kernel drops the answer as a martian source.
const AcceptLocalSysctl = "net/ipv4/conf/all/accept_local"

// Sysctls reads and writes kernel parameters by their /proc/sys path
// relative name (e.g. "net/ipv4/conf/all/accept_local").
type Sysctls interface {
	Get(name string) (string, error)
	Set(name, value string) error
}
