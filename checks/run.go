package checks

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Run checks until ctx is done, then waits for running checks to return,
// closes the engine's sockets and the Events channel (state changes still
// inside their coalescing window are not delivered). Call it once.
func (e *Engine) Run(ctx context.Context) {
	var running sync.WaitGroup
	defer func() {
		running.Wait()
		e.env.pingers.close()
		e.closeCheckers()
		close(e.events)
	}()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		wait, batch := e.step(ctx, &running)
		var out chan []Event
		if len(batch) > 0 {
			out = e.events
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-e.wake:
		case out <- batch:
			e.mu.Lock()
			e.batches.ready = nil
			e.mu.Unlock()
		}
	}
}

// step starts every due check the pool has room for, moves coalesced
// events to the ready batch, and returns how long to sleep and the batch
// to offer.
func (e *Engine) step(ctx context.Context, running *sync.WaitGroup) (time.Duration, []Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := time.Now()
	for e.inflight < e.opts.MaxInFlight {
		ent := e.heap.popDue(now)
		if ent == nil {
			break
		}
		e.inflight++
		e.stats.PeakInFlight = max(e.stats.PeakInFlight, e.inflight)
		e.stats.lateness.add(now.Sub(ent.due))
		e.stats.Started++
		e.jobs <- job{ent: ent, due: ent.due} // never blocks: capacity MaxInFlight
		if e.workers < e.inflight {
			e.workers++
			running.Add(1)
			go e.work(ctx, running)
		}
	}
	wakeAt := now.Add(time.Hour)
	if next, ok := e.heap.next(); ok && e.inflight < e.opts.MaxInFlight && next.Before(wakeAt) {
		wakeAt = next
	}
	if flush := e.batches.tick(now); !flush.IsZero() && flush.Before(wakeAt) {
		wakeAt = flush
	}
	// Timer slack: waking at most once per millisecond lets one wake-up
	// start every check due in that millisecond.
	wait := max(wakeAt.Sub(now), 0)
	if wait > 0 && wait < timerSlack {
		wait = timerSlack
	}
	e.timerAt = now.Add(wait)
	return wait, e.batches.ready
}

// timerSlack is the shortest sleep of the Run loop.
const timerSlack = time.Millisecond

// job is one due check handed to a worker.
type job struct {
	ent *entry
	due time.Time
}

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
	s := &j.ent.spec.spec
	cctx, cancel := context.WithTimeout(ctx, s.Timeout)
	start := time.Now()
	err := j.ent.spec.checker.check(cctx, j.ent.key.Target)
	cancel()
	end := time.Now()
	if ctx.Err() != nil {
		e.mu.Lock()
		e.inflight--
		e.mu.Unlock()
		return job{}, false // shutting down: a cancelled check says nothing about the target
	}
	next, more, changed := e.complete(j, start, end, err)
	if changed {
		// Logged outside the engine lock: a slow log sink must not stall checks.
		e.opts.Logger.Info("check state changed", slog.String("target", j.ent.key.Target.String()),
			slog.String("type", string(s.Type)), slog.String("state", changedTo(err).String()),
			slog.Any("error", err))
	}
	return next, more
}

// changedTo is the state a state-changing result leads to.
func changedTo(err error) State {
	if err == nil {
		return StateUp
	}
	return StateDown
}

// complete records a result and hands the worker the next due check, so
// that under load checks start without a round trip through the Run loop
// (which competes for the CPU with every runnable worker). With nothing due
// it frees the worker's slot and wakes the Run loop if it must act sooner
// than planned.
func (e *Engine) complete(j job, start, end time.Time, err error) (next job, more, changed bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.stats.Completed++
	if !j.ent.removed {
		changed = e.recordLocked(j, start, end, err)
	}
	now := time.Now()
	if ent := e.heap.popDue(now); ent != nil {
		e.stats.lateness.add(now.Sub(ent.due))
		e.stats.Started++
		return job{ent: ent, due: ent.due}, true, changed
	}
	wasFull := e.inflight >= e.opts.MaxInFlight
	e.inflight--
	sooner := !j.ent.removed && j.ent.due.Before(e.timerAt)
	if wasFull || sooner || len(e.batches.pending) == 1 {
		e.signal()
	}
	return job{}, false, changed
}

// recordLocked notes a result, applies hysteresis and reschedules the
// check; it reports whether the state changed.
func (e *Engine) recordLocked(j job, start, end time.Time, err error) bool {
	ent, s := j.ent, &j.ent.spec.spec
	ent.rec.result(start, end, err)
	if err != nil {
		e.stats.Failed++
	}
	changed := ent.health.observe(err == nil, s.Rise, s.Fall)
	if changed {
		ent.rec.transition(end)
		e.batches.add(Event{Key: ent.key, State: ent.health.state, At: end, Err: err}, end)
	}
	d := jittered(nextInterval(s, ent.health), e.opts.Jitter, e.rng.Float64())
	ent.due = nextDue(j.due, end, d)
	e.heap.schedule(ent)
	return changed
}
