package daemon

import (
	"context"
	"time"

	"github.com/seesaw-lb/seesaw/vrrp"
)

// preemptHandoff is how long a node that preempted a lower-priority master
// waits before it takes the VIPs: one advert interval. The old master
// releases them as soon as it reads the new master's first advert, so the
// window where both hold a VIP stays zero and the one where neither does is
// at most this long.
func preemptHandoff(c vrrp.Config) time.Duration { return c.AdvertInterval }

// followAfter follows the node's state after d, unless ctx ends first; an
// event in between is followed at once by follow, and this later follow
// then reads the same current state.
func (w *wiring) followAfter(ctx context.Context, node *vrrp.Node, d time.Duration) {
	t := time.NewTimer(d)
	go func() {
		defer t.Stop()
		select {
		case <-t.C:
			w.follow(node)
		case <-ctx.Done():
		}
	}()
}
