package vrrp

import (
	"fmt"
	"net/netip"
	"time"

	"golang.org/x/sys/unix"
)

// setupTxtime turns on kernel-timed sending for the socket when the
// interface's qdisc honours departure times (checkQdisc false skips that
// check: the tests use it to exercise the send path on any qdisc). The
// result is what KernelTimed reports.
func (c *rawConn) setupTxtime(checkQdisc bool) {
	if checkQdisc {
		qs, err := linkQdiscs(c.ifi.Index)
		if err != nil {
			c.txtimeErr = fmt.Errorf("%w on %s: %w", ErrTxtimeUnavailable, c.ifi.Name, err)
			return
		}
		if c.txtimeErr = checkTxtimeQdisc(c.ifi.Name, qs); c.txtimeErr != nil {
			return
		}
	}
	var serr error
	if err := c.rr.rc.Control(func(fd uintptr) { serr = enableTxtime(int(fd)) }); err != nil {
		serr = err
	}
	if serr != nil {
		c.txtimeErr = fmt.Errorf("%w on %s: %w", ErrTxtimeUnavailable, c.ifi.Name, serr)
		return
	}
	c.txtimeErr = nil
}

// KernelTimed reports whether SendAt releases adverts on time.
func (c *rawConn) KernelTimed() error { return c.txtimeErr }

// sendTimed writes a to every destination with the family's control
// message cm and an SCM_TXTIME departure time at.
func (c *rawConn) sendTimed(a Advert, at time.Time, cm []byte, to func(netip.Addr) unix.Sockaddr) error {
	if c.txtimeErr != nil {
		return c.txtimeErr
	}
	c.oob = appendTxtime(append(c.oob[:0], cm...), monotonicAt(at))
	return c.sendAll(a, func(b []byte, dst netip.Addr) error {
		return c.sendmsg(b, c.oob, to(dst))
	})
}

func (c *rawConn) sendmsg(b, oob []byte, to unix.Sockaddr) error {
	var serr error
	err := c.rr.rc.Write(func(fd uintptr) bool {
		serr = unix.Sendmsg(int(fd), b, oob, to, 0)
		return serr != unix.EAGAIN
	})
	if err != nil {
		return err
	}
	return serr
}
