package reconcile

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/desired"
)

func TestResyncPeriodBoundsCPUAndWallShare(t *testing.T) {
	sp := spread{interval: 30 * time.Second, slices: 100} // cadence 300 ms
	for _, tc := range []struct {
		took, cpu time.Duration
		budget    float64
		want      time.Duration
		held      bool
	}{
		{10 * time.Millisecond, 10 * time.Millisecond, 0.05, 300 * time.Millisecond, false}, // 200 ms for the budget: the cadence
		{10 * time.Millisecond, 30 * time.Millisecond, 0.05, 600 * time.Millisecond, true},  // the CPU budget
		{100 * time.Millisecond, 190 * time.Millisecond, 0.05, 3800 * time.Millisecond, true},
		{100 * time.Millisecond, 190 * time.Millisecond, 1, 500 * time.Millisecond, true}, // the wall share (1/5)
		{2 * time.Second, 0, 0.05, 10 * time.Second, true},                                // blocked in the kernel: the wall share
		{0, 0, 0.05, 300 * time.Millisecond, false},
	} {
		got, held := sp.period(tc.took, tc.cpu, tc.budget)
		if !near(got, tc.want) || held != tc.held {
			t.Errorf("period(took %v, cpu %v, budget %v) = %v, held %v; want %v, held %v", tc.took, tc.cpu, tc.budget, got, held, tc.want, tc.held)
		}
	}
}

// pacedSteps runs steps steps of l's spread resync on a fake clock from
// now and a fake CPU meter: each step (with the round it asks for) takes
// took of wall time and cpu of CPU. It returns the clock after them. A
// cycle is counted by the first step of the next one.
func pacedSteps(l *Loop, now time.Time, steps int, took, cpu time.Duration) time.Time {
	return pacedStepsBetween(l, now, steps, took, cpu, 0)
}

// pacedStepsBetween is pacedSteps with the process spending between of CPU
// after each step, before the next.
func pacedStepsBetween(l *Loop, now time.Time, steps int, took, cpu, between time.Duration) time.Time {
	ctx := context.Background()
	var used time.Duration
	if l.spread.meter != nil {
		used, _ = l.spread.meter() // the clock of an earlier run
	}
	l.spread.meter = func() (time.Duration, error) { return used, nil }
	for range steps {
		m := l.spread.mark(now)
		if l.resyncStep(ctx, now) {
			l.Round(ctx)
		}
		used += cpu
		now = l.spread.stepDone(m, now.Add(took), l.resyncBudget())
		used += between
	}
	return now
}

// TestResyncCPUBudgetStretchesTheCycle: the arithmetic of docs/reconcile.md
// ("Spread resync"), on a 30 s interval read in 30 steps at the default
// budget of 4 % of a core. A table whose read costs about 1 s of CPU
// (10,000 x 10 on a server) is read in 30 s at 3.3 %; one whose read costs
// 18.9 s (the same table under TCG) would need 63 % to fit in 30 s, and is
// read in 472.5 s at 4 %, which the status and the log say once.
func TestResyncCPUBudgetStretchesTheCycle(t *testing.T) {
	const slices = 30
	l, _, _ := convergedSpreadLoop(t, 300, slices)
	var log bytes.Buffer
	l.o.Log = slog.New(slog.NewTextHandler(&log, nil))
	interval := time.Duration(slices) * time.Second
	server, tcg := 33*time.Millisecond, 630*time.Millisecond // CPU per step

	now := pacedSteps(l, t0, 2*slices, 20*time.Millisecond, server)
	r := l.Status().Resync
	if r.Cycles != 1 || r.Stretched != 0 || r.LastCycle != interval || r.LastCycleCPU != 990*time.Millisecond ||
		r.LastCycleServices != 300 || r.CPUBudget != desired.DefaultResyncCPU || r.Interval != interval {
		t.Fatalf("a read of 0.99 s of CPU: %+v; want a cycle of %v, 0.99s of CPU, not stretched, 300 services, the default budget", r, interval)
	}

	now = pacedSteps(l, now, 3*slices, 350*time.Millisecond, tcg)
	r = l.Status().Resync
	share := r.LastCycleCPU.Seconds() / r.LastCycle.Seconds()
	if r.Cycles != 4 || r.Stretched != 2 || !r.LastCycleStretched || !near(r.LastCycle, 472500*time.Millisecond) || r.LastCycleCPU != 18900*time.Millisecond || share > 0.04+1e-6 {
		t.Fatalf("a read of 18.9 s of CPU: %+v (%.2f%% of a core); want 2 stretched cycles of 472.5s, 18.9s of CPU each, at most 4%%", r, 100*share)
	}
	if n := strings.Count(log.String(), "resync: the cycle took longer than the resync interval"); n != 1 {
		t.Fatalf("2 stretched cycles logged %d warnings, want 1 (then one an hour):\n%s", n, log.String())
	}
	for _, want := range []string{"took=7m52.5s", "interval=30s", "cpu=18.9s", "cpu_share=0.04", "budget=0.04", "services=300"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("the warning lacks %s:\n%s", want, log.String())
		}
	}

	// A larger budget lets the same table be read faster, down to the
	// wall-time share: 30 steps of 350 ms, each at least 5 times its length.
	l.cfg.Node.ResyncCPU = 1
	now = pacedSteps(l, now, slices+1, 350*time.Millisecond, tcg)
	if r := l.Status().Resync; r.Stretched != 4 || !near(r.LastCycle, 30*1750*time.Millisecond) || r.CPUBudget != 1 {
		t.Fatalf("budget 1: %+v; want a cycle of 30 x 1.75 s, held by the wall-time share", r)
	}
	l.cfg.Node.ResyncCPU = 0
	pacedSteps(l, now, 2*slices, 20*time.Millisecond, server) // a mixed cycle, then one at 0.99 s
	if r := l.Status().Resync; r.LastCycleStretched || r.LastCycle != interval || !strings.Contains(log.String(), "resync: the cycle fits in the resync interval again") {
		t.Fatalf("back to 0.99 s of CPU a read: %+v; want a cycle not stretched, logged:\n%s", r, log.String())
	}
}

// TestResyncChargesTheCPUBetweenSteps: what the process spends between two
// steps counts against the budget, up to twice the step's own CPU. Steps
// that cause as much work again after them (the collector, the runtime's
// threads) keep the whole process at the budget; unrelated work ten times
// the steps' own slows the resync to a third of its own pace, and no
// further.
func TestResyncChargesTheCPUBetweenSteps(t *testing.T) {
	const slices = 30
	l, _, _ := convergedSpreadLoop(t, 300, slices)
	step := 630 * time.Millisecond

	now := pacedStepsBetween(l, t0, 2*slices+1, 350*time.Millisecond, step, step)
	r := l.Status().Resync
	share := r.LastCycleCPU.Seconds() / r.LastCycle.Seconds()
	if r.Cycles != 2 || !near(r.LastCycle, 945*time.Second) || !near(r.LastCycleCPU, 37800*time.Millisecond) || share > 0.04+1e-6 {
		t.Fatalf("steps of 0.63 s of CPU and 0.63 s after each: %+v (%.2f%% of a core); want a cycle of 945s and 37.8s of CPU, 4%%", r, 100*share)
	}

	pacedStepsBetween(l, now, 2*slices, 350*time.Millisecond, step, 10*step)
	r = l.Status().Resync
	if r.Cycles != 4 || !near(r.LastCycle, 1417500*time.Millisecond) || !near(r.LastCycleCPU, 56700*time.Millisecond) {
		t.Fatalf("steps of 0.63 s of CPU and 6.3 s of other work after each: %+v; want a cycle of 30 x 47.25s, 30 x 1.89s of CPU charged", r)
	}
}

// TestResyncCycleCountsOnlyCompleteCycles: a cycle dropped by an invalid
// cache (a failed round) is not counted, and its CPU does not carry over.
func TestResyncCycleCountsOnlyCompleteCycles(t *testing.T) {
	l, _, _ := convergedSpreadLoop(t, 100, 10)
	now := pacedSteps(l, t0, 11, time.Millisecond, time.Millisecond)
	l.liveOK = false // a failed round: the cycle in progress is dropped
	l.resyncStep(context.Background(), now)
	if !l.spread.start.IsZero() || l.spread.cycleCPU != 0 {
		t.Fatalf("an invalid cache kept the cycle in progress: start %v, cpu %v", l.spread.start, l.spread.cycleCPU)
	}
	l.Round(context.Background()) // re-reads in full
	pacedSteps(l, now, 11, time.Millisecond, 2*time.Millisecond)
	if r := l.Status().Resync; r.Cycles != 2 || r.LastCycleCPU != 20*time.Millisecond {
		t.Fatalf("after a dropped cycle: %+v; want 2 cycles, the last of 10 steps of 2ms", r)
	}
}

// near reports whether a and b differ by less than a millisecond (the CPU
// budget divides durations in floating point).
func near(a, b time.Duration) bool { return (a - b).Abs() < time.Millisecond }
