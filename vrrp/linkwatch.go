package vrrp

import (
	"context"
	"time"
)

// watchLink reports each change of the router's own link (true: up) once
// the link has been seen up: a name that never was an up link (an
// in-memory Conn's, say) is never reported down. It looks again on every
// link notification of the kernel (linkChanges), at once, and every
// trackPeriod in case a notification was lost or none can be had.
func watchLink(ctx context.Context, name string, up func(string) bool, out chan<- bool) {
	watchLinkEvery(ctx, name, up, linkChanges(ctx), trackPeriod, out)
}

// watchLinkEvery is watchLink looking again on each value from changes and
// every period.
func watchLinkEvery(ctx context.Context, name string, up func(string) bool, changes <-chan struct{}, every time.Duration, out chan<- bool) {
	seen, last := false, false
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		u := up(name)
		switch {
		case !seen:
			seen, last = u, u
		case u != last:
			select {
			case out <- u:
				last = u
			case <-ctx.Done():
				return
			}
		}
		select {
		case <-tick.C:
		case <-changes:
		case <-ctx.Done():
			return
		}
	}
}
