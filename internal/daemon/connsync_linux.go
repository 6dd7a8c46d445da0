//go:build linux

package daemon

import (
	"fmt"
	"net/netip"
	"os"

	"golang.org/x/sys/unix"

	"github.com/seesaw-lb/seesaw/desired"
)

// connTable is the node's IPVS connection table.
const connTable = "/proc/net/ip_vs_conn"

// handoffLimit bounds the connections one handoff sends (about 1,000
// messages) and, four times over, the lines it reads past: a table larger
// than that is mostly synced already, reading all of it would delay the
// release, and a burst beyond it would overflow the peer's receive buffer.
const handoffLimit = 40000

// Default group and port of the kernel's sync daemons.
var (
	syncGroup = netip.MustParseAddr("224.0.0.81")
	syncPort  = uint16(8848)
)

// handoffConns sends the live connections of cfg's address-based services
// to the peer's backup sync daemon, as sd's master role would (group,
// port, TTL, sync ID, message size, on sd's interface), without looping
// them back to this node's own backup role. It returns how many
// connections it sent and how many table lines it left out.
func handoffConns(cfg desired.Config, sd desired.SyncDaemon) (sent, skipped int, err error) {
	f, err := os.Open(connTable)
	if err != nil {
		return 0, 0, fmt.Errorf("hand connections to the peer: %w", err)
	}
	conns, skipped, err := parseConns(f, handoffServices(cfg), handoffLimit)
	f.Close()
	if err != nil {
		return 0, skipped, fmt.Errorf("hand connections to the peer: %w", err)
	}
	if len(conns) == 0 {
		return 0, skipped, nil
	}
	group, port, ttl := syncGroup, syncPort, sd.TTL
	if sd.Group.IsValid() {
		group = sd.Group.Unmap()
	}
	if sd.Port != 0 {
		port = sd.Port
	}
	ttl = max(ttl, 1)
	if !group.Is4() {
		return 0, skipped, fmt.Errorf("hand connections to the peer: group %s: only IPv4 groups are supported", group)
	}
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, unix.IPPROTO_UDP)
	if err != nil {
		return 0, skipped, fmt.Errorf("hand connections to the peer: socket: %w", err)
	}
	defer unix.Close(fd)
	// The interface's index from one ioctl on the socket: net.InterfaceByName
	// would dump every link on a netlink socket of its own, milliseconds on a
	// slow host, while the peer waits for the handoff.
	ifr, err := unix.NewIfreq(sd.Interface)
	if err == nil {
		err = unix.IoctlIfreq(fd, unix.SIOCGIFINDEX, ifr)
	}
	if err != nil {
		return 0, skipped, fmt.Errorf("hand connections to the peer on %s: %w", sd.Interface, err)
	}
	ifindex := int32(ifr.Uint32())
	opts := []struct {
		name string
		set  func() error
	}{
		{"IP_MULTICAST_IF", func() error {
			return unix.SetsockoptIPMreqn(fd, unix.IPPROTO_IP, unix.IP_MULTICAST_IF, &unix.IPMreqn{Ifindex: ifindex})
		}},
		{"IP_MULTICAST_TTL", func() error { return unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_MULTICAST_TTL, int(ttl)) }},
		{"IP_MULTICAST_LOOP", func() error { return unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_MULTICAST_LOOP, 0) }},
		{"SO_SNDBUF", func() error { return unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, 1<<20) }},
	}
	for _, o := range opts {
		if err := o.set(); err != nil {
			return 0, skipped, fmt.Errorf("hand connections to the peer on %s: %s: %w", sd.Interface, o.name, err)
		}
	}
	to := &unix.SockaddrInet4{Port: int(port), Addr: group.As4()}
	for _, m := range encodeSyncMessages(conns, sd.SyncID, int(sd.MaxLen)) {
		if err := unix.Sendto(fd, m, 0, to); err != nil {
			return sent, skipped, fmt.Errorf("hand connections to the peer: send to %s:%d on %s after %d connections: %w",
				group, port, sd.Interface, sent, err)
		}
		sent += int(m[4])
	}
	return sent, skipped, nil
}
