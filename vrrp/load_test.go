package vrrp

import (
	"sync"
	"time"
)

// healthcheckLoad imitates the allocation pattern of n health checks in the
// same process, for at most d: each check keeps 4 KiB of state alive and
// probes every period, and each probe allocates about 16 KiB of
// short-lived buffers (request, response, parsing) in a few pieces.
func healthcheckLoad(n int, period, d time.Duration) {
	state := make([][]byte, n)
	for i := range state {
		state[i] = make([]byte, 4096)
	}
	const workers = 8
	perWorker := n / workers
	end := time.Now().Add(d)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(period / time.Duration(perWorker))
			defer tick.Stop()
			var sink [][]byte
			for i := 0; time.Now().Before(end); i++ {
				<-tick.C
				sink = probe(sink[:0], state[w*perWorker+i%perWorker])
			}
		}()
	}
	wg.Wait()
}

// probe allocates like one health check probe and touches its state.
func probe(sink [][]byte, state []byte) [][]byte {
	for _, size := range []int{512, 1024, 4096, 8192, 2048, 256} {
		b := make([]byte, size)
		b[0] = state[0]
		sink = append(sink, b)
	}
	state[0]++
	return sink
}
