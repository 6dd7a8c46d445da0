package vrrp

import (
	"sync/atomic"
	"time"
)

// Stats is a snapshot of a node's counters, for metrics.
type Stats struct {
	State    State
	Priority uint8
	// Received counts valid adverts; Drops counts the others by reason.
	Received uint64
	Drops    map[string]uint64
	// Sent counts adverts sent (one per destination); SendErrors failures.
	Sent, SendErrors uint64
	// TimedSent counts adverts handed ahead of their deadline to the
	// kernel with a departure time (Config.KernelTimedAdverts) or to the
	// timing thread; they are also in Sent.
	TimedSent uint64
	// AdvertTiming is the path a Master's adverts are timed on now:
	// TimingKernel, TimingProcess, TimingThread or TimingRuntime.
	AdvertTiming string
	// LateAdverts counts adverts the timing thread or the sender process
	// sent more than 1 ms after their due time; MaxAdvertLateness is the
	// latest any left.
	LateAdverts       uint64
	MaxAdvertLateness time.Duration
	// The advert sender process (TimingProcess): AdvertsRepeated counts
	// adverts it repeated on its lease because the node's next one had
	// not come (also in Sent); AdvertsDropped those the node handed that
	// it did not send (their time already covered by a repeat, no free
	// slot, a bad message); LeaseExpiries how often it stopped because
	// the node handed nothing for leaseIntervals intervals; SenderLost
	// how often the process died or hung and the timing thread took over.
	AdvertsRepeated, AdvertsDropped uint64
	LeaseExpiries, SenderLost       uint64
	// Transitions counts state changes by "from->to".
	Transitions map[string]uint64
	// EventsCoalesced counts events replaced by a newer one because the
	// consumer was 64 events behind (Node.Events).
	EventsCoalesced uint64
	// LowerPriorityAdverts counts valid adverts read as Master from a
	// router this node outranks (Node.LowerPriorityAdverts); they are
	// discarded (RFC 9568 6.4.3) and are also in Received.
	LowerPriorityAdverts uint64
}

type counters struct {
	received, sent, sendErrors, eventsCoalesced atomic.Uint64
	timedSent, lowerPriority                    atomic.Uint64
	drops                                       [numDropReasons]atomic.Uint64
	transitions                                 [3][3]atomic.Uint64
}

func (c *counters) snapshot() Stats {
	s := Stats{
		Received:             c.received.Load(),
		Sent:                 c.sent.Load(),
		SendErrors:           c.sendErrors.Load(),
		TimedSent:            c.timedSent.Load(),
		EventsCoalesced:      c.eventsCoalesced.Load(),
		LowerPriorityAdverts: c.lowerPriority.Load(),
		Drops:                make(map[string]uint64, numDropReasons),
		Transitions:          map[string]uint64{},
	}
	for _, r := range DropReasons() {
		s.Drops[r.String()] = c.drops[r].Load()
	}
	for from := range c.transitions {
		for to := range c.transitions[from] {
			if n := c.transitions[from][to].Load(); n > 0 {
				s.Transitions[State(from).String()+"->"+State(to).String()] = n
			}
		}
	}
	return s
}
