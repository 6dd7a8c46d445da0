package vrrp

import (
	"context"
	"time"
)

// trackPeriod is how often tracked links are polled.
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

// trackLinks polls the tracked links and reports each change of the total
// penalty until ctx is done.
func trackLinks(ctx context.Context, tracks []TrackInterface, up func(string) bool, out chan<- int) {
	last := -1
	tick := time.NewTicker(trackPeriod)
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
		case <-ctx.Done():
			return
		}
	}
}
