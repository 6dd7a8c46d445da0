package vrrp

import (
	"fmt"
	"log/slog"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
	"golang.org/x/sys/unix"
)

// startTimingThread starts the IPv4 socket's timing thread: the adverts
// carry the same IP_PKTINFO (source, interface) as Send's.
func (c *conn4) startTimingThread(prio int, log *slog.Logger) (timingThread, error) {
	cm := &ipv4.ControlMessage{Src: c.primary.AsSlice(), IfIndex: c.ifi.Index}
	return c.startThread(cm.Marshal(), prio, log)
}

// startTimingThread starts the IPv6 socket's timing thread: the adverts
// carry the same IPV6_PKTINFO and hop limit as Send's.
func (c *conn6) startTimingThread(prio int, log *slog.Logger) (timingThread, error) {
	cm := &ipv6.ControlMessage{Src: c.primary.AsSlice(), IfIndex: c.ifi.Index, HopLimit: TTL}
	return c.startThread(cm.Marshal(), prio, log)
}

// startThread starts a timing thread on a duplicate of the socket's
// descriptor; Close stops it after the adverts still waiting have left.
func (c *rawConn) startThread(oob []byte, prio int, log *slog.Logger) (timingThread, error) {
	if c.thread != nil {
		return c.thread, nil
	}
	var fd int
	var derr error
	if err := c.rr.rc.Control(func(s uintptr) { fd, derr = unix.FcntlInt(s, unix.F_DUPFD_CLOEXEC, 0) }); err != nil {
		derr = err
	}
	if derr != nil {
		return nil, fmt.Errorf("start vrrp timing thread on %s: duplicate the socket: %w", c.ifi.Name, derr)
	}
	t, prioErr := newSendThread(fd, c.primary, c.dsts, uint32(c.ifi.Index), oob, prio, log)
	switch {
	case prioErr != nil:
		log.Warn("vrrp realtime priority unavailable; the advert timing thread runs at normal priority",
			"priority", prio, "err", prioErr,
			"needs", "CAP_SYS_NICE or RLIMIT_RTPRIO >= priority (systemd: AmbientCapabilities=CAP_SYS_NICE or LimitRTPRIO=), and real-time runtime in the cgroup")
	case prio > 0:
		log.Info("vrrp advert timing thread started", "policy", "SCHED_FIFO", "priority", prio, "tid", t.tid.Load())
	default:
		log.Info("vrrp advert timing thread started", "policy", "normal", "tid", t.tid.Load())
	}
	c.thread = t
	return t, nil
}

// stopThread stops the advert sender process and the timing thread, if
// any.
func (c *rawConn) stopThread() {
	if c.proc != nil {
		c.proc.close()
	}
	if c.thread != nil {
		c.thread.close()
	}
}
