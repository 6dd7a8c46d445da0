package checks

import (
	"context"
	"sync"
)

// work runs jobs until ctx is done. Workers are started as in-flight checks
// need them, at most MaxInFlight, and kept: a reused goroutine keeps its
// grown stack, which makes a check cheaper than on a fresh goroutine.
func (e *Engine) work(ctx context.Context, running *sync.WaitGroup) {
	defer running.Done()
	for {
		select {
		case j := <-e.jobs:
			for more := true; more; {
				j, more = e.runOne(ctx, j)
			}
		case <-ctx.Done():
			return
		}
	}
}

// runOne runs one check with its hard timeout, records the result and
// returns the next due check for this worker, if there is one.
func (e *Engine) runOne(ctx context.Context, j job) (job, bool) {
	cctx, cancel := context.WithTimeout(ctx, j.ent.spec.spec.Timeout)
	start := e.clock.Now()
	err := j.ent.spec.checker.check(cctx, j.ent.key.Target)
	cancel()
	d := done{job: j, start: start, end: e.clock.Now(), err: err}
	if ctx.Err() != nil {
		e.mu.Lock()
		e.inflight--
		e.onWorkers--
		e.mu.Unlock()
		return job{}, false // shutting down: a cancelled check says nothing about the target
	}
	next, more := e.complete(&d)
	e.after(&d)
	return next, more
}

// complete records a result and hands the worker the next due check, so
// that under load checks start without a round trip through the Run loop
// (which competes for the CPU with every runnable worker). With nothing due
// for a worker it frees the worker's slot and wakes the Run loop if it must
// act sooner than planned.
func (e *Engine) complete(d *done) (next job, more bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.finishLocked(d)
	now := e.clock.Now()
	if ent := e.heap.peekDue(now); ent != nil && !e.onLoop(ent) {
		e.heap.popDue(now)
		e.startedLocked(ent, now)
		return ent.job(), true
	}
	e.onWorkers--
	e.releaseLocked(d.job)
	return job{}, false
}

// releaseLocked frees the in-flight slot of a finished check and wakes the
// Run loop if it must act sooner than planned: the pool was full, the
// check's next run is earlier than the loop's timer, or the first event of
// a coalescing window is pending.
func (e *Engine) releaseLocked(j job) {
	wasFull := e.inflight >= e.opts.MaxInFlight
	e.inflight--
	sooner := !j.ent.removed && j.ent.due < e.timerAt.UnixNano()
	if wasFull || sooner || len(e.batches.pending) == 1 {
		e.signal()
	}
}
