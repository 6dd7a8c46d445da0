//go:build linux

package ipvsbench

import (
	"runtime"
	"slices"
	"syscall"
	"time"
)

// sample is one measured run: wall time, CPU time of this process and of
// waited-for children (ipvsadm), and bytes allocated by Go.
type sample struct {
	wall, cpu time.Duration
	alloc     uint64
}

func cpuTime() time.Duration {
	var total time.Duration
	for _, who := range []int{syscall.RUSAGE_SELF, syscall.RUSAGE_CHILDREN} {
		var ru syscall.Rusage
		if syscall.Getrusage(who, &ru) == nil {
			total += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
	}
	return total
}

// measure runs fn once and samples it.
func measure(fn func() error) (sample, error) {
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	c0, t0 := cpuTime(), time.Now()
	err := fn()
	wall := time.Since(t0)
	c1 := cpuTime()
	runtime.ReadMemStats(&m1)
	return sample{wall: wall, cpu: c1 - c0, alloc: m1.TotalAlloc - m0.TotalAlloc}, err
}

// median returns the sample with the median wall time.
func median(s []sample) sample {
	s = slices.Clone(s)
	slices.SortFunc(s, func(a, b sample) int { return int(a.wall - b.wall) })
	return s[len(s)/2]
}

// percentile returns the p-th percentile (0..100) of d.
func percentile(d []time.Duration, p int) time.Duration {
	d = slices.Clone(d)
	slices.Sort(d)
	return d[min(len(d)-1, len(d)*p/100)]
}
