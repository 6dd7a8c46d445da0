package vrrp

import (
	"context"
	"time"
)

// trackPeriod is how often the own and the tracked links are looked at
// besides the kernel's link notifications (linkChanges): the fallback for
// a lost notification, or a host where none can be had.
const trackPeriod = 200 * time.Millisecond

// linkPenalty sums the penalties of the tracked links that are down.
func linkPenalty(tracks []TrackInterface, up func(string) bool) int {
	sum := 0
	for _, t := range tracks {
		if !up(t.Name) {
			sum += t.Penalty
		}
	}
	return sum
}

// trackLinks reports each change of the total penalty of the tracked
// links until ctx is done, looking at them on each link notification of
// the kernel and every trackPeriod.
func trackLinks(ctx context.Context, tracks []TrackInterface, up func(string) bool, out chan<- int) {
	trackLinksEvery(ctx, tracks, up, linkChanges(ctx), trackPeriod, out)
}

// trackLinksEvery is trackLinks looking on each value from changes and
// every period.
func trackLinksEvery(ctx context.Context, tracks []TrackInterface, up func(string) bool, changes <-chan struct{}, every time.Duration, out chan<- int) {
	last := -1
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		if p := linkPenalty(tracks, up); p != last {
			select {
			case out <- p:
				last = p
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
