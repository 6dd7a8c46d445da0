package vrrp

import (
	"errors"
	"net"
	"sync"

	"github.com/jsimonetti/rtnetlink/v2"
	"golang.org/x/sys/unix"

	"github.com/seesaw-lb/seesaw/internal/rtlink"
)

// linkUp reports whether the named link is administratively up and has
// carrier. A link that does not exist is down. It asks the kernel for that
// one link on a kept rtnetlink socket (linkQueries, rtlink): the own link
// and every tracked link are looked at every trackPeriod, and a dump of
// every link on a new socket each time competed with the adverts and the
// Master_Down_Timer on a busy host.
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
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.conn == nil {
		c, err := rtnetlink.Dial(nil)
		if err != nil {
			return netFlags(name)
		}
		q.conn = c
	}
	lm, err := rtlink.ByName(q.conn, name)
	if err != nil {
		if !errors.Is(err, rtlink.ErrNoLink) {
			q.conn.Close() // a broken socket: a fresh one next time
			q.conn = nil
		}
		return 0, false
	}
	return lm.Flags, true
}

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
