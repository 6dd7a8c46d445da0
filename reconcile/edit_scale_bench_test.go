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

// TestEditScaleTable prints the edit latency (write, Load, plan, apply)
// at 1,000 and 10,000 services x 10 in 100 files, the two sizes
// interleaved edit by edit so host load falls on both alike: wall median,
// p10, p90, and the process CPU per edit (which includes the garbage
// collector's work and moves less with host load). It runs only with
// SEESAW_EDITSCALE=N (N edits per size).
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
	cpu := make([]time.Duration, len(sizes))
	for k := range n {
		for i, e := range envs {
			c0, err := processCPU()
			if err != nil {
				t.Skip(err)
			}
			start := time.Now()
			e.edit(t, 2+k%100)
			times[i] = append(times[i], time.Since(start))
			c1, _ := processCPU()
			cpu[i] += c1 - c0
		}
	}
	med := make([]time.Duration, len(sizes))
	for i := range sizes {
		slices.Sort(times[i])
		med[i] = times[i][len(times[i])/2]
	}
	r := func(d time.Duration) time.Duration { return d.Round(10 * time.Microsecond) }
	fmt.Printf("edit->fake kernel, 100 files, %d edits per size, interleaved\n", n)
	fmt.Printf("%-18s %10s %10s %10s %10s\n", "services x dests", "median", "p10", "p90", "cpu/edit")
	for i, s := range sizes {
		fmt.Printf("%-18s %10s %10s %10s %10s\n", fmt.Sprintf("%d x 10", s), r(med[i]),
			r(times[i][len(times[i])/10]), r(times[i][len(times[i])*9/10]), r(cpu[i]/time.Duration(n)))
	}
	fmt.Printf("ratio 10000/1000: median %.2fx, cpu %.2fx (target 2x)\n", float64(med[1])/float64(med[0]), float64(cpu[1])/float64(cpu[0]))
}
