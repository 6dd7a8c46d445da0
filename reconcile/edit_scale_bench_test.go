package reconcile

import (
	"fmt"
	"os"
	"slices"
	"testing"
	"time"
)

// BenchmarkEditScale is issue 20's edit at two sizes: 1,000 and 10,000
// services x 10 destinations in 100 files, one weight edit per iteration
// (write, Load, plan, apply to the fake kernel). The target is the 10,000
// figure within 2x of the 1,000 one.
func BenchmarkEditScale(b *testing.B) {
	for _, services := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("services=%d", services), func(b *testing.B) {
			e := newEditEnvN(b, services, 100)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				e.edit(b, 2+i%100)
				i++
			}
		})
	}
}

// TestEditScaleTable prints the median edit latency (write, Load, plan,
// apply) at 1,000 and 10,000 services x 10 in 100 files, the two sizes
// interleaved edit by edit so host load falls on both alike. It runs only
// with SEESAW_EDITSCALE=N (N edits per size).
func TestEditScaleTable(t *testing.T) {
	n := 0
	fmt.Sscan(os.Getenv("SEESAW_EDITSCALE"), &n)
	if n <= 0 {
		t.Skip("set SEESAW_EDITSCALE=N to time N edits per size")
	}
	sizes := []int{1000, 10000}
	envs := make([]*editEnv, len(sizes))
	for i, s := range sizes {
		envs[i] = newEditEnvN(t, s, 100)
	}
	times := make([][]time.Duration, len(sizes))
	for k := range n {
		for i, e := range envs {
			start := time.Now()
			e.edit(t, 2+k%100)
			times[i] = append(times[i], time.Since(start))
		}
	}
	med := make([]time.Duration, len(sizes))
	for i := range sizes {
		slices.Sort(times[i])
		med[i] = times[i][len(times[i])/2]
	}
	fmt.Printf("edit->fake kernel, 100 files, %d edits per size, interleaved\n", n)
	fmt.Printf("%-22s %10s %10s %10s\n", "services x dests", "median", "p10", "p90")
	for i, s := range sizes {
		fmt.Printf("%-22s %10s %10s %10s\n", fmt.Sprintf("%d x 10", s), med[i].Round(10*time.Microsecond),
			times[i][len(times[i])/10].Round(10*time.Microsecond), times[i][len(times[i])*9/10].Round(10*time.Microsecond))
	}
	fmt.Printf("ratio 10000/1000 median: %.2fx (target 2x)\n", float64(med[1])/float64(med[0]))
}
