package hooks

// queued is an event waiting for a hook, with its sequence number.
type queued struct {
	ev  Event
	seq uint64
}

// queue is one hook's bounded FIFO. When full, push drops the oldest
// event: for state changes the latest is what matters, and a hook that
// reads SEESAW_SEQ sees the gap.
type queue struct {
	items []queued
	limit int
}

// push appends x and reports whether the oldest event was dropped for it.
func (q *queue) push(x queued) (dropped bool) {
	if len(q.items) >= q.limit {
		q.items = append(q.items[:0], q.items[1:]...)
		dropped = true
	}
	q.items = append(q.items, x)
	return dropped
}

// pop removes and returns the oldest event.
func (q *queue) pop() (queued, bool) {
	if len(q.items) == 0 {
		return queued{}, false
	}
	x := q.items[0]
	q.items[0] = queued{}
	q.items = q.items[1:]
	return x, true
}

// keepOnly drops every event whose kind keep refuses and returns how many
// it dropped.
func (q *queue) keepOnly(keep func(kind string) bool) int {
	kept := q.items[:0]
	for _, x := range q.items {
		if keep(x.ev.Kind) {
			kept = append(kept, x)
		}
	}
	n := len(q.items) - len(kept)
	clear(q.items[len(kept):])
	q.items = kept
	return n
}

// len is the number of events waiting.
func (q *queue) len() int { return len(q.items) }
