package vrrp

import "golang.org/x/sys/unix"

// pending reports whether a datagram waits in the socket's receive queue
// (SIOCINQ: the size of the first one).
func (c *rawConn) pending() bool {
	var n int
	var ierr error
	if err := c.rr.rc.Control(func(fd uintptr) { n, ierr = unix.IoctlGetInt(int(fd), unix.SIOCINQ) }); err != nil || ierr != nil {
		return false
	}
	return n > 0
}
