package checks

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Run checks until ctx is done, then waits for running checks to return,
// closes the engine's sockets and the Events channel.
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
		running.Add(1)
		go func(ent *entry, due time.Time) {
			defer running.Done()
			e.runOne(ctx, ent, due)
		}(ent, ent.due)
	}
	wakeAt := now.Add(time.Hour)
	if next, ok := e.heap.next(); ok && e.inflight < e.opts.MaxInFlight && next.Before(wakeAt) {
		wakeAt = next
	}
	if flush := e.batches.tick(now); !flush.IsZero() && flush.Before(wakeAt) {
		wakeAt = flush
	}
	e.timerAt = wakeAt
	return max(wakeAt.Sub(now), 0), e.batches.ready
}

// runOne runs one check with its hard timeout and records the result.
func (e *Engine) runOne(ctx context.Context, ent *entry, due time.Time) {
	s := &ent.spec.spec
	cctx, cancel := context.WithTimeout(ctx, s.Timeout)
	start := time.Now()
	err := ent.spec.checker.check(cctx, ent.key.Target)
	cancel()
	end := time.Now()
	if ctx.Err() != nil {
		e.mu.Lock()
		e.inflight--
		e.mu.Unlock()
		return // shutting down: a cancelled check says nothing about the target
	}
	e.complete(ent, due, start, end, err)
}

// complete records a result, applies hysteresis, reschedules the check and
// wakes the Run loop if it must act sooner than planned.
func (e *Engine) complete(ent *entry, due, start, end time.Time, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	wasFull := e.inflight >= e.opts.MaxInFlight
	e.inflight--
	e.stats.Completed++
	if ent.removed {
		return
	}
	s := &ent.spec.spec
	ent.rec.result(start, end, err)
	if err != nil {
		e.stats.Failed++
	}
	if ent.health.observe(err == nil, s.Rise, s.Fall) {
		ent.rec.transition(end)
		e.batches.add(Event{Key: ent.key, State: ent.health.state, At: end, Err: err}, end)
		e.opts.Logger.Info("check state changed", slog.String("target", ent.key.Target.String()),
			slog.String("type", string(s.Type)), slog.String("state", ent.health.state.String()),
			slog.Any("error", err))
	}
	d := jittered(nextInterval(s, ent.health), e.opts.Jitter, e.rng.Float64())
	ent.due = nextDue(due, end, d)
	e.heap.schedule(ent)
	if wasFull || ent.due.Before(e.timerAt) || len(e.batches.pending) == 1 {
		e.signal()
	}
}
