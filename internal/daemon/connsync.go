package daemon

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"

	"github.com/seesaw-lb/seesaw/desired"
)

// A Master that leaves mastership hands its live connections to the peer
// once its VIPs are gone, before the peer takes over (release.go,
// connsync_handoff.go, connsync_linux.go). The
// kernel's master sync daemon sends a connection once, when it reaches
// sync_threshold packets, and batches those messages for up to 2 s
// (IPVS_SYNC_FLUSH_TIME) before it sends a part-filled one; a connection
// opened in the last 2 s before a failover is then unknown to the new
// master, which answers its next packet with a reset (the packet is not a
// SYN, so IPVS does not schedule it, and the local stack holds no socket
// on the VIP). The handoff reads the node's connection table and sends
// every live connection at once, in the kernel's own sync format (version
// 1), to the group the peer's backup sync daemon listens on; that daemon
// adds or refreshes them before the peer takes over.

// syncConn is one connection of /proc/net/ip_vs_conn.
type syncConn struct {
	Proto   uint8 // IPPROTO_TCP or IPPROTO_UDP
	Client  netip.AddrPort
	Virtual netip.AddrPort
	Dest    netip.AddrPort
	State   uint16 // the kernel's state number for Proto
}

// IP protocol numbers and the connection flags of the sync format.
const (
	protoTCP = 6
	protoUDP = 17
	// connInactive is IP_VS_CONN_F_INACTIVE: the connection counts as
	// inactive on its destination (every TCP state but ESTABLISHED).
	connInactive = 0x0100
)

// tcpStates are the kernel's IPVS TCP state numbers by the names
// /proc/net/ip_vs_conn prints (IP_VS_TCP_S_*); the states a handoff
// sends are those a client can still send data in.
var tcpStates = map[string]uint16{
	"ESTABLISHED": 1, "SYN_SENT": 2, "SYN_RECV": 3, "FIN_WAIT": 4,
	"CLOSE_WAIT": 7, "LAST_ACK": 8, "SYNACK": 10,
}

// parseConns reads /proc/net/ip_vs_conn and returns the connections of
// services: TCP ones in a state a client still sends data in, and UDP
// ones. skipped counts the lines left out (templates, closing or closed TCP
// states, other protocols and services, lines it cannot read). It stops
// reading at limit connections or 4*limit lines left out, so that a huge
// table cannot hold a release.
func parseConns(r io.Reader, services map[serviceKey]bool, limit int) (conns []syncConn, skipped int, err error) {
	sc := bufio.NewScanner(r)
	first := true
	for sc.Scan() {
		line := sc.Text()
		if first {
			first = false
			if strings.HasPrefix(line, "Pro ") {
				continue
			}
		}
		if len(conns) >= limit || skipped >= 4*limit {
			break // the rest of a huge table is left to the kernel's daemon
		}
		c, ok := parseConn(line)
		if !ok || !c.belongs(services) {
			skipped++
			continue
		}
		conns = append(conns, c)
	}
	if err := sc.Err(); err != nil {
		return conns, skipped, fmt.Errorf("read the IPVS connection table: %w", err)
	}
	return conns, skipped, nil
}

// parseConn parses one line: "TCP C0A80001 D2A4 C000020A 0050 C0000215 0050
// ESTABLISHED 899" (IPv4 as hex) or the same with IPv6 addresses printed
// in full.
func parseConn(line string) (syncConn, bool) {
	f := strings.Fields(line)
	if len(f) < 9 {
		return syncConn{}, false
	}
	var c syncConn
	switch f[0] {
	case "TCP":
		c.Proto = protoTCP
		st, ok := tcpStates[f[7]]
		if !ok {
			return syncConn{}, false
		}
		c.State = st
	case "UDP":
		c.Proto = protoUDP // IP_VS_UDP_S_NORMAL: 0
	default:
		return syncConn{}, false
	}
	var ok [3]bool
	c.Client, ok[0] = parseAddrPort(f[1], f[2])
	c.Virtual, ok[1] = parseAddrPort(f[3], f[4])
	c.Dest, ok[2] = parseAddrPort(f[5], f[6])
	if !ok[0] || !ok[1] || !ok[2] || c.Client.Port() == 0 {
		return syncConn{}, false // a persistence template has client port 0
	}
	if !c.Client.Addr().Is4() || !c.Virtual.Addr().Is4() || !c.Dest.Addr().Is4() {
		return syncConn{}, false // IPv6 connections are left to the kernel's daemon
	}
	return c, true
}

func parseAddrPort(addr, port string) (netip.AddrPort, bool) {
	p, err := strconv.ParseUint(port, 16, 16)
	if err != nil {
		return netip.AddrPort{}, false
	}
	if len(addr) == 8 && !strings.Contains(addr, ":") {
		v, err := strconv.ParseUint(addr, 16, 32)
		if err != nil {
			return netip.AddrPort{}, false
		}
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], uint32(v))
		return netip.AddrPortFrom(netip.AddrFrom4(b), uint16(p)), true
	}
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return netip.AddrPort{}, false
	}
	return netip.AddrPortFrom(a, uint16(p)), true
}

// Sizes of the sync format, version 1 (net/netfilter/ipvs/ip_vs_sync.c).
const (
	syncHeaderLen = 8  // struct ip_vs_sync_mesg
	syncConnV4Len = 36 // struct ip_vs_sync_v4
	syncVersion   = 1
	// syncMaxMessage is the kernel's default message size on a
	// 1500-byte link: the backup reads at most 1500 minus the IP and UDP
	// headers.
	syncMaxMessage = 1500 - 20 - 8
)

// encodeSyncMessages packs conns into sync messages for syncID, each at
// most maxLen bytes (0: syncMaxMessage) and at most 255 connections.
// Timeouts are sent as 0: the receiver gives each connection its state's
// timeout.
func encodeSyncMessages(conns []syncConn, syncID uint8, maxLen int) [][]byte {
	if maxLen <= 0 || maxLen > syncMaxMessage {
		maxLen = syncMaxMessage
	}
	per := min((maxLen-syncHeaderLen)/syncConnV4Len, 255)
	per = max(per, 1)
	var out [][]byte
	for len(conns) > 0 {
		n := min(per, len(conns))
		m := make([]byte, syncHeaderLen+n*syncConnV4Len)
		m[0] = 0 // reserved: a version-0 receiver drops the message
		m[1] = syncID
		binary.BigEndian.PutUint16(m[2:], uint16(len(m)))
		m[4] = uint8(n)
		m[5] = syncVersion
		for i, c := range conns[:n] {
			putSyncConn(m[syncHeaderLen+i*syncConnV4Len:], c)
		}
		out = append(out, m)
		conns = conns[n:]
	}
	return out
}

// putSyncConn writes c as a struct ip_vs_sync_v4 (type 0: IPv4).
func putSyncConn(b []byte, c syncConn) {
	b[0] = 0 // type: IPv4
	b[1] = c.Proto
	binary.BigEndian.PutUint16(b[2:], syncConnV4Len) // version 0, size
	var flags uint32
	if c.Proto == protoTCP && c.State != tcpStates["ESTABLISHED"] {
		flags |= connInactive
	}
	binary.BigEndian.PutUint32(b[4:], flags)
	binary.BigEndian.PutUint16(b[8:], c.State)
	binary.BigEndian.PutUint16(b[10:], c.Client.Port())
	binary.BigEndian.PutUint16(b[12:], c.Virtual.Port())
	binary.BigEndian.PutUint16(b[14:], c.Dest.Port())
	binary.BigEndian.PutUint32(b[16:], 0) // fwmark
	binary.BigEndian.PutUint32(b[20:], 0) // timeout: the state's
	client, virtual, dest := c.Client.Addr().As4(), c.Virtual.Addr().As4(), c.Dest.Addr().As4()
	copy(b[24:], client[:])
	copy(b[28:], virtual[:])
	copy(b[32:], dest[:])
}

// serviceKey names an address-based virtual service: protocol, VIP and
// port (0: every port).
type serviceKey struct {
	proto uint8
	vip   netip.Addr
	port  uint16
}

// handoffServices returns the address-based services of cfg. A handoff
// sends only their connections: the kernel binds a received connection to
// its service by address and port, and /proc/net/ip_vs_conn does not say
// which connections belong to a firewall-mark service.
func handoffServices(cfg desired.Config) map[serviceKey]bool {
	out := map[serviceKey]bool{}
	for _, s := range cfg.Services {
		if s.Fwmark != 0 || !s.VIP.IsValid() {
			continue
		}
		for _, p := range s.Ports {
			switch p.Proto {
			case desired.TCP:
				out[serviceKey{protoTCP, s.VIP.Unmap(), p.Port}] = true
			case desired.UDP:
				out[serviceKey{protoUDP, s.VIP.Unmap(), p.Port}] = true
			}
		}
	}
	return out
}

// belongs reports whether c belongs to one of services.
func (c syncConn) belongs(services map[serviceKey]bool) bool {
	v := c.Virtual.Addr().Unmap()
	return services[serviceKey{c.Proto, v, c.Virtual.Port()}] || services[serviceKey{c.Proto, v, 0}]
}
