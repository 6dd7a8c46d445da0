package vrrp

import (
	"fmt"
	"log/slog"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
	"golang.org/x/sys/unix"
)

// startAdvertSender starts the IPv4 socket's advert sender process: the
// adverts carry the same IP_PKTINFO (source, interface) as Send's.
func (c *conn4) startAdvertSender(prio int, log *slog.Logger) (timingThread, error) {
	cm := &ipv4.ControlMessage{Src: c.primary.AsSlice(), IfIndex: c.ifi.Index}
	return c.startProc(cm.Marshal(), prio, log)
}

// startAdvertSender starts the IPv6 socket's advert sender process: the
// adverts carry the same IPV6_PKTINFO and hop limit as Send's.
func (c *conn6) startAdvertSender(prio int, log *slog.Logger) (timingThread, error) {
	cm := &ipv6.ControlMessage{Src: c.primary.AsSlice(), IfIndex: c.ifi.Index, HopLimit: TTL}
	return c.startProc(cm.Marshal(), prio, log)
}

// startProc starts the sender process once, on a duplicate of the
// socket's descriptor; Close stops it.
func (c *rawConn) startProc(oob []byte, prio int, log *slog.Logger) (timingThread, error) {
	if c.proc != nil {
		return c.proc, nil
	}
	var fd int
	var derr error
	if err := c.rr.rc.Control(func(s uintptr) { fd, derr = unix.FcntlInt(s, unix.F_DUPFD_CLOEXEC, 0) }); err != nil {
		derr = err
	}
	if derr != nil {
		return nil, fmt.Errorf("start vrrp advert sender on %s: duplicate the socket: %w", c.ifi.Name, derr)
	}
	p, err := startSender(senderSpec{
		sockFD: fd, name: c.ifi.Name, ifindex: c.ifi.Index, primary: c.primary, dsts: c.dsts, oob: oob, prio: prio,
		thread: func() (*sendThread, error) {
			if _, err := c.startThread(oob, prio, log); err != nil {
				return nil, err
			}
			return c.thread, nil
		},
	}, log)
	if err != nil {
		return nil, err
	}
	c.proc = p
	return p, nil
}
