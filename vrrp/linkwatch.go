package vrrp

import (
	"context"
	"time"
)

// watchLink polls the router's own link every trackPeriod and reports each
// change (true: up) once the link has been seen up: a name that never was
// an up link (an in-memory Conn's, say) is never reported down.
func watchLink(ctx context.Context, name string, up func(string) bool, out chan<- bool) {
	seen, last := false, false
	tick := time.NewTicker(trackPeriod)
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
		case <-ctx.Done():
			return
		}
	}
}
