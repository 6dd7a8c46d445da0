package vrrp

// The advert sender process (Config.AdvertSender TimingProcess) sends a
// Master's adverts on a lease: the node hands it each advert with its due
// time and the advert interval, and when the next one has not arrived by
// its time the process repeats the last one on the same grid by itself, for at most
// leaseIntervals intervals past the due time of the last advert handed.
// A node goroutine that runs late therefore never makes an advert late,
// and a hung node stops advertising within leaseIntervals intervals, so
// its backup takes over from the silence as from a crashed master.
//
// lease is the pure part: times in CLOCK_MONOTONIC nanoseconds in, what to
// send next out. The process owns the packet buffers; lease only says
// which of its leaseSlots slots hold what.

// leaseIntervals is how many intervals past the last advert handed the
// sender process keeps repeating it.
const leaseIntervals = 2

// leaseSlots is how many adverts the sender process holds: those waiting
// plus the one it repeats. Each waits at most txtimeLead, and adverts are
// at least 10 ms apart.
const leaseSlots = threadSlots

// leaseItem is a handed advert waiting in a slot.
type leaseItem struct {
	slot    int
	due     int64 // when it leaves
	arrived int64 // when it was handed
	now     bool  // handed to leave at once (SendNow)
	final   bool  // priority 0: ends the repetition
}

// leaseStep is what the process does next.
type leaseStep int

const (
	stepIdle   leaseStep = iota // nothing to send: wait for the node
	stepSend                    // send the waiting advert Item at At
	stepRepeat                  // repeat the last advert (slot Item.slot) at At
	stepExpire                  // at At, stop repeating: the lease ran out
)

// leaseNext is the next step and when it is due.
type leaseNext struct {
	Step leaseStep
	At   int64
	Item leaseItem
}

// leaseVerdict says what became of a handed advert.
type leaseVerdict int

const (
	handQueued  leaseVerdict = iota // waits for its time
	handCovered                     // its time was already covered by a repeat: dropped
	handBusy                        // every slot is in use: dropped
)

// lease is the sender process's schedule.
type lease struct {
	interval int64
	end      int64 // no repeat is due after this
	lastDue  int64 // due time of the last periodic advert sent or repeated; 0: none
	last     int   // slot of the advert repeated; -1: none
	waiting  [leaseSlots]leaseItem
	n        int // waiting[:n], in the order handed

	repeated, covered, busy, expired uint64
}

func newLease() *lease { return &lease{last: -1} }

// free returns a slot that holds nothing the lease needs, or -1.
func (l *lease) free() int {
	for s := range leaseSlots {
		used := s == l.last
		for _, w := range l.waiting[:l.n] {
			used = used || w.slot == s
		}
		if !used {
			return s
		}
	}
	return -1
}

// hand records an advert the node handed at now in slot (from free) to
// leave at due, or at once when due is 0; interval is its advert
// interval. A periodic advert due within half an interval of one already
// sent or waiting covers nothing new and is dropped; a final (priority 0)
// advert drops every waiting one and is the last sent.
func (l *lease) hand(slot int, due, interval, now int64, final bool) leaseVerdict {
	if interval > 0 {
		l.interval = interval
	}
	if due == 0 || final {
		if final {
			l.n = 0
			l.last, l.end = -1, 0
		}
		return l.enqueue(leaseItem{slot: slot, due: now, arrived: now, now: true, final: final})
	}
	l.end = max(l.end, due+leaseIntervals*l.interval)
	ref := l.lastDue
	for _, w := range l.waiting[:l.n] {
		if !w.now {
			ref = max(ref, w.due)
		}
	}
	if ref > 0 && due <= ref+l.interval/2 {
		l.covered++
		return handCovered
	}
	return l.enqueue(leaseItem{slot: slot, due: due, arrived: now})
}

func (l *lease) enqueue(it leaseItem) leaseVerdict {
	if l.n == len(l.waiting) || it.slot < 0 {
		l.busy++
		return handBusy
	}
	if it.now {
		l.end = max(l.end, it.due+leaseIntervals*l.interval)
	}
	l.waiting[l.n] = it
	l.n++
	return handQueued
}

// cancel forgets every advert: the node left mastership.
func (l *lease) cancel() {
	l.n, l.last, l.lastDue, l.end = 0, -1, 0, 0
}

// next returns the next step. A waiting advert goes first when it is to
// leave at once or no later than the next repeat would (plus half an
// interval); otherwise the last advert is repeated on its grid while the
// lease lasts.
func (l *lease) next() leaseNext {
	if l.n > 0 {
		h := l.waiting[0]
		if h.now || l.last < 0 || h.due <= l.lastDue+l.interval+l.interval/2 {
			return leaseNext{Step: stepSend, At: h.due, Item: h}
		}
	}
	if l.last >= 0 {
		r := l.lastDue + l.interval
		if r <= l.end {
			return leaseNext{Step: stepRepeat, At: r, Item: leaseItem{slot: l.last, due: r}}
		}
		return leaseNext{Step: stepExpire, At: r}
	}
	if l.n > 0 {
		return leaseNext{Step: stepSend, At: l.waiting[0].due, Item: l.waiting[0]}
	}
	return leaseNext{Step: stepIdle}
}

// done records that step s (from next) was carried out.
func (l *lease) done(s leaseNext) {
	switch s.Step {
	case stepSend:
		copy(l.waiting[:], l.waiting[1:l.n])
		l.n--
		it := s.Item
		switch {
		case it.final:
			l.last, l.lastDue = -1, 0
		case it.now:
			l.last = it.slot
			if l.lastDue == 0 {
				l.lastDue = it.due
			}
		default:
			l.last, l.lastDue = it.slot, it.due
		}
	case stepRepeat:
		l.lastDue = s.At
		l.repeated++
	case stepExpire:
		l.last = -1
		l.expired++
	}
}
