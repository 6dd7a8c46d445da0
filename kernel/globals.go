package kernel

import (
	"fmt"
	"net/netip"
)

// Info is what GET_INFO reports.
type Info struct {
	Version     uint32 // IP_VS_VERSION_CODE, e.g. 0x010201
	ConnTabSize uint32 // connection hash table size
}

// VersionString renders the version as "1.2.1".
func (i Info) VersionString() string {
	v := i.Version
	return fmt.Sprintf("%d.%d.%d", (v>>16)&0xff, (v>>8)&0xff, v&0xff)
}

// Timeouts are the connection timeouts in seconds. On SetTimeouts a zero
// field leaves that timeout unchanged.
type Timeouts struct {
	TCP    uint32
	TCPFin uint32
	UDP    uint32
}

// DaemonState selects the sync daemon's role.
type DaemonState uint32

// Sync daemon roles.
const (
	DaemonMaster DaemonState = 1
	DaemonBackup DaemonState = 2
)

// String returns "master" or "backup".
func (s DaemonState) String() string {
	switch s {
	case DaemonMaster:
		return "master"
	case DaemonBackup:
		return "backup"
	}
	return fmt.Sprintf("state(%d)", uint32(s))
}

// Daemon is the configuration of a connection-sync daemon.
type Daemon struct {
	State     DaemonState
	Interface string     // multicast interface, required
	SyncID    uint32     // sync id, required
	MaxLen    uint16     // UDP payload size, 0 = kernel default
	Group     netip.Addr // multicast group (v4 or v6), invalid = kernel default
	Port      uint16     // 0 = kernel default
	TTL       uint8      // 0 = kernel default
}
