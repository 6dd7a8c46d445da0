package checks

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// peerRun is the naive design the engine replaces (Seesaw v2's): one
// goroutine and one ticker per target, each running its check inline. It
// shares the engine's checkers so only the scheduling differs. It gets the
// same initial spread over the interval, to compare steady states.
type peerRun struct {
	started, completed, failed atomic.Uint64
	shards                     [64]struct {
		sync.Mutex
		h histogram
	}
}

// run checks every target until ctx is done, then waits for the goroutines.
func (p *peerRun) run(ctx context.Context, targets []Target, specs []*compiled, pick func(int) int, spread func() float64) {
	var wg sync.WaitGroup
	for i, t := range targets {
		c := specs[pick(i)]
		offset := time.Duration(float64(c.spec.Interval) * spread())
		wg.Go(func() { p.loop(ctx, i, t, c, offset) })
	}
	wg.Wait()
}

// loop is one target's goroutine.
func (p *peerRun) loop(ctx context.Context, i int, t Target, c *compiled, offset time.Duration) {
	select {
	case <-time.After(offset):
	case <-ctx.Done():
		return
	}
	start := time.Now()
	ticker := time.NewTicker(c.spec.Interval)
	defer ticker.Stop()
	shard := &p.shards[i%len(p.shards)]
	for k := 0; ; k++ {
		expected := start.Add(time.Duration(k) * c.spec.Interval)
		late := time.Since(expected)
		shard.Lock()
		shard.h.add(late)
		shard.Unlock()
		p.started.Add(1)
		cctx, cancel := context.WithTimeout(ctx, c.spec.Timeout)
		err := c.checker.check(cctx, t)
		cancel()
		p.completed.Add(1)
		if err != nil {
			p.failed.Add(1)
		}
		select {
		case now := <-ticker.C:
			// a ticker drops ticks for a slow receiver: realign the count
			k = int(now.Sub(start)/c.spec.Interval) - 1
		case <-ctx.Done():
			return
		}
	}
}

// lateness merges the shards' histograms.
func (p *peerRun) lateness() histogram {
	var h histogram
	for i := range p.shards {
		p.shards[i].Lock()
		for j, c := range p.shards[i].h.buckets {
			h.buckets[j] += c
		}
		h.n += p.shards[i].h.n
		p.shards[i].Unlock()
	}
	return h
}

// runtimeGoroutines is runtime.NumGoroutine, named for the bench table.
func runtimeGoroutines() int { return runtime.NumGoroutine() }
