package checks

import (
	"context"
	"runtime"
	"sync"
	"time"
)

// Run checks until ctx is done, then waits for running checks to return,
// closes the engine's sockets and the Events channel (state changes still
// inside their coalescing window are not delivered). Call it once.
//
// Run needs Linux. On any other GOOS it logs an error wrapping
// errors.ErrUnsupported, closes the Events channel and returns at once.
func (e *Engine) Run(ctx context.Context) {
	if runtime.GOOS != "linux" {
		e.opts.Logger.Error("checks: engine not started", "error", errUnsupported)
		close(e.events)
		return
	}
	var running sync.WaitGroup
	loop, err := newConnLoop(func(w *waiter, err error) { e.connected(ctx, w, err) }, e.clock.Now)
	if err != nil {
		// Plain connect checks then run on workers like every other check.
		e.opts.Logger.Warn("checks: no connect loop, plain tcp checks use workers", "error", err)
	} else {
		e.mu.Lock()
		e.loop = loop
		e.mu.Unlock()
	}
	e.probes.mu.Lock()
	e.probes.open = func() (*halfOpen, error) {
		return newHalfOpen(func(ds []done) { e.finishBatch(ctx, ds) }, e.clock.Now)
	}
	e.probes.mu.Unlock()
	defer func() {
		if loop != nil {
			loop.close() // ends the connects in progress; their results are discarded
		}
		e.probes.close()
		running.Wait()
		e.env.pingers.close()
		e.closeCheckers()
		close(e.events)
	}()
	for range runtime.GOMAXPROCS(0) - 1 {
		running.Add(1)
		go e.helpConnects(ctx, &running)
	}
	timer := e.clock.NewTimer(time.Hour)
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
		case <-timer.C():
		case <-e.wake:
		case out <- batch:
			e.mu.Lock()
			e.batches.ready = nil
			e.mu.Unlock()
		}
	}
}

// step starts every due check the pool has room for (plain connect checks
// right here, the others on workers), moves coalesced events to the ready
// batch, and returns how long to sleep and the batch to offer.
func (e *Engine) step(ctx context.Context, running *sync.WaitGroup) (time.Duration, []Event) {
	e.mu.Lock()
	for {
		connects := e.dispatchLocked(ctx, e.clock.Now(), running)
		if len(connects) == 0 {
			break
		}
		e.mu.Unlock()
		if !behind(connects, e.clock.Now()) || !e.handOff(connects) {
			e.startConnects(ctx, connects, &e.doneBuf)
		}
		e.mu.Lock()
	}
	defer e.mu.Unlock()
	now := e.clock.Now()
	wakeAt := now.Add(time.Hour)
	if next, ok := e.heap.next(); ok && e.inflight < e.opts.MaxInFlight && next.Before(wakeAt) {
		wakeAt = next
	}
	if flush := e.batches.tick(now); !flush.IsZero() && flush.Before(wakeAt) {
		wakeAt = flush
	}
	// Timer slack: waking at most once per timerSlack lets one wake-up
	// start every check due in that span. That holds for checks that
	// became due while this step ran, too: starting them at once would
	// make a second, small batch right behind this one.
	wait := max(wakeAt.Sub(now), timerSlack)
	e.timerAt = now.Add(wait)
	return wait, e.batches.ready
}

// dispatchLocked pops the checks due at now while the pool has room: it
// hands each to a worker (starting workers as needed) or, for plain
// connect checks, returns it for startConnects, at most connectChunk at a
// time (so a backlog is started, and its lateness measured, in small steps).
func (e *Engine) dispatchLocked(ctx context.Context, now time.Time, running *sync.WaitGroup) []job {
	connects := e.connectBuf[:0]
	for e.inflight < e.opts.MaxInFlight && len(connects) < connectChunk {
		ent := e.heap.popDue(now)
		if ent == nil {
			break
		}
		e.inflight++
		e.stats.PeakInFlight = max(e.stats.PeakInFlight, e.inflight)
		e.startedLocked(ent, now)
		if e.onLoop(ent) {
			connects = append(connects, ent.job())
			continue
		}
		e.onWorkers++
		e.jobs <- ent.job() // never blocks: capacity MaxInFlight
		if e.workers < e.onWorkers {
			e.workers++
			running.Add(1)
			go e.work(ctx, running)
		}
	}
	e.connectBuf = connects[:0]
	return connects
}

// startedLocked counts a due check that starts now, and how late it starts.
func (e *Engine) startedLocked(ent *entry, now time.Time) {
	e.stats.lateness.add(time.Duration(now.UnixNano() - ent.due))
	e.stats.Started++
}

// onLoop reports whether ent runs on the connect loop instead of a worker.
func (e *Engine) onLoop(ent *entry) bool {
	return ent.spec.plainConnect && e.loop != nil && !e.loop.failed.Load()
}

// connectChunk is how many connect checks step starts between looks at the heap.
const connectChunk = 32

// behind reports whether a chunk of due connect checks shows a backlog
// worth a helper: the chunk is full and its first check is already later
// than the timer slack explains. Keeping up, the Run goroutine starts the
// chunk itself: a hand-off wakes another thread, and both then run at once
// for work one of them finishes within the slack.
func behind(chunk []job, now time.Time) bool {
	return len(chunk) == connectChunk && now.Sub(chunk[0].due) > 2*timerSlack
}

// timerSlack is the shortest sleep of the Run loop: a wake-up costs CPU of
// its own, so one should start every check due in the slack. Checks then
// start up to 2 ms late, inside the 10 ms lateness budget; the CPU it
// saves against 1 ms is measured in docs/benchmarks.md, "Ideas evaluated".
const timerSlack = 2 * time.Millisecond

// job is one due check.
type job struct {
	ent *entry
	due time.Time
}

// job returns ent as a due check.
func (ent *entry) job() job { return job{ent: ent, due: time.Unix(0, ent.due)} }
