package vrrp

import (
	"errors"
	"net"
	"sync"

	"github.com/jsimonetti/rtnetlink/v2"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// linkUp reports whether the named link is administratively up and has
// carrier. A link that does not exist is down. It asks the kernel for that
// one link on a kept rtnetlink socket (linkQueries): the own link and
// every tracked link are polled every trackPeriod, and net.InterfaceByName
// would open a socket and dump every link each time, work that competes
// with the adverts and the Master_Down_Timer on a busy host.
func linkUp(name string) bool {
	flags, ok := links.flags(name)
	if !ok {
		return false
	}
	return flags&unix.IFF_UP != 0 && flags&unix.IFF_RUNNING != 0
}

// links is the process's kept socket for link queries, opened on first use
// in the process's network namespace (the pollers run on unlocked threads).
var links linkQueries

// linkQueries asks the kernel for one link by name on a kept rtnetlink
// socket. A socket that fails is closed and the next query opens another;
// while none can be opened, it asks the net package.
type linkQueries struct {
	mu   sync.Mutex
	conn *rtnetlink.Conn
}

// flags returns the link's flags (IFF_*), and false when there is no such
// link (or it cannot be asked about).
func (q *linkQueries) flags(name string) (uint32, bool) {
	if name == "" || len(name) >= unix.IFNAMSIZ {
		return 0, false
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.conn == nil {
		c, err := rtnetlink.Dial(nil)
		if err != nil {
			return netFlags(name)
		}
		q.conn = c
	}
	msgs, err := q.conn.Execute(&rtnetlink.LinkMessage{Family: unix.AF_UNSPEC, Attributes: &rtnetlink.LinkAttributes{Name: name}},
		unix.RTM_GETLINK, netlink.Request)
	if err != nil {
		if !isNoDevice(err) {
			q.conn.Close() // a broken socket: a fresh one next time
			q.conn = nil
		}
		return 0, false
	}
	for _, m := range msgs {
		if lm, ok := m.(*rtnetlink.LinkMessage); ok && lm.Attributes != nil && lm.Attributes.Name == name {
			return lm.Flags, true
		}
	}
	return 0, false
}

func isNoDevice(err error) bool { return errors.Is(err, unix.ENODEV) }

// netFlags is flags from the net package, for when no socket can be kept.
func netFlags(name string) (uint32, bool) {
	ifi, err := net.InterfaceByName(name)
	if err != nil {
		return 0, false
	}
	var f uint32
	if ifi.Flags&net.FlagUp != 0 {
		f |= unix.IFF_UP
	}
	if ifi.Flags&net.FlagRunning != 0 {
		f |= unix.IFF_RUNNING
	}
	return f, true
}
