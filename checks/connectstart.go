package checks

import (
	"context"
	"sync"
)

// startConnects runs plain connect checks on the Run goroutine: each one
// starts with a few system calls and, on loopback or any path where the
// handshake completes at once, ends there; the rest wait on the connect
// loop. Results known at once are recorded under one lock for the batch.
func (e *Engine) startConnects(ctx context.Context, batch []job, buf *[]done) {
	results := (*buf)[:0]
	if hasHalfOpen(batch) {
		if p := e.probes.get(e.opts.Logger); p != nil {
			batch = p.start(batch)
		}
	}
	for _, j := range batch {
		t := j.ent.key.Target
		start := e.clock.Now()
		fd, sa, err := beginConnect(t)
		if fd >= 0 {
			lerr := e.loop.add(fd, sa, start.Add(j.ent.spec.spec.Timeout), j, start)
			if lerr == nil {
				continue
			}
			closeFD(fd)
			err = connectError(t, lerr)
		}
		results = append(results, done{job: j, start: start, end: e.clock.Now(), err: err})
	}
	*buf = results[:0]
	e.finishBatch(ctx, results)
}

// handOff gives a full chunk of connect checks to an idle helper (a
// backlog: more are due), so that both cores start checks; false if every
// helper is busy. The Run goroutine then takes a fresh buffer.
func (e *Engine) handOff(chunk []job) bool {
	select {
	case e.chunks <- chunk:
	default:
		return false
	}
	select {
	case b := <-e.spare:
		e.connectBuf = b
	default:
		e.connectBuf = make([]job, 0, connectChunk)
	}
	return true
}

// helpConnects starts the chunks handed off by the Run goroutine until ctx
// is done. One helper runs per CPU beyond the first.
func (e *Engine) helpConnects(ctx context.Context, running *sync.WaitGroup) {
	defer running.Done()
	var buf []done
	for {
		select {
		case chunk := <-e.chunks:
			e.startConnects(ctx, chunk, &buf)
			select {
			case e.spare <- chunk[:0]:
			default:
			}
		case <-ctx.Done():
			return
		}
	}
}

// connected is the connect loop's report of one check.
func (e *Engine) connected(ctx context.Context, w *waiter, err error) {
	e.finishBatch(ctx, []done{{job: w.job, start: w.start, end: e.clock.Now(), err: err}})
}

// finishBatch records results of checks that ran without a worker and
// frees their slots.
func (e *Engine) finishBatch(ctx context.Context, results []done) {
	if len(results) == 0 {
		return
	}
	e.mu.Lock()
	if ctx.Err() != nil {
		e.inflight -= len(results) // shutting down: results say nothing about the targets
		e.mu.Unlock()
		return
	}
	for i := range results {
		e.finishLocked(&results[i])
		e.releaseLocked(results[i].job)
	}
	e.mu.Unlock()
	for i := range results {
		e.after(&results[i])
	}
}
