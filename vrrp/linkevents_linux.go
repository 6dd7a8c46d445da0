package vrrp

import (
	"context"
	"errors"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// linkChanges subscribes to the kernel's link notifications (RTNLGRP_LINK)
// of the calling thread's network namespace and returns a channel that
// receives a value after each (coalesced: one pending at most) until ctx
// is done. A lost notification (the socket's buffer overflowed) counts as
// one. It returns nil when it cannot subscribe; after a read error other
// than an overflow the channel stays silent. Either way the caller's
// periodic look (trackPeriod) still sees every change, later.
func linkChanges(ctx context.Context) <-chan struct{} {
	c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{Groups: unix.RTMGRP_LINK})
	if err != nil {
		return nil
	}
	ch := make(chan struct{}, 1)
	signal := func() {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	go func() {
		defer stop()
		for {
			_, err := c.Receive()
			switch {
			case err == nil, errors.Is(err, unix.ENOBUFS):
				signal()
			default:
				if ctx.Err() == nil {
					c.Close()
				}
				return
			}
		}
	}()
	return ch
}
