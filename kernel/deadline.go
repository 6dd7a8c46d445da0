package kernel

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"
)

// arm sets s's deadline for one sendmsg or recvmsg: Options.Timeout from
// now, or ctx's deadline when sooner. A deadline armed less than
// Timeout/rearmSlack ago is kept rather than set again (setting one costs a
// runtime timer update, twice per dump), so every wait ends between
// (1-1/rearmSlack)·Timeout and Timeout after it began. It keeps a
// cancelled ctx's expired deadline, so a cancellation that races with it
// still ends the wait.
func (c *Client) arm(ctx context.Context, s *sock) {
	if c.opts.Timeout <= 0 {
		return // begin applied ctx's deadline, if any
	}
	d := time.Now().Add(c.opts.Timeout)
	if cd, ok := ctx.Deadline(); ok && cd.Before(d) {
		d = cd
	}
	if !s.armed.IsZero() && d.Sub(s.armed) < c.opts.Timeout/rearmSlack && ctx.Err() == nil {
		return
	}
	s.armed = d
	s.set(d)
	if ctx.Err() != nil {
		s.set(time.Unix(1, 0))
	}
}

// rearmDatagrams is how many datagrams of one answer receive reads between
// arms: reading the clock is a system call in some VMs, and a dump of a
// service's destinations is two datagrams.
const rearmDatagrams = 8

// rearmSlack: arm keeps a deadline that is within Timeout/rearmSlack of
// the one it would set.
const rearmSlack = 16

// waitErr is the error of a failed sendmsg or recvmsg: the context's when
// it ended, ErrTimeout when the deadline of Options.Timeout passed.
func (c *Client) waitErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctxErr(ctx, err)
	}
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		return err
	}
	if d, ok := ctx.Deadline(); (ok && !time.Now().Before(d)) || c.opts.Timeout <= 0 {
		// ctx's deadline expired the socket; ctx has yet to say so.
		return fmt.Errorf("%w (%v)", context.DeadlineExceeded, err)
	}
	return fmt.Errorf("%w (%v): %w", ErrTimeout, c.opts.Timeout, err)
}
