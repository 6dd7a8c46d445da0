package reconcile

import (
	"time"

	"github.com/seesaw-lb/seesaw/desired"
)

// resyncWarnEvery is how often a resync that keeps stretching its cycles
// past the interval says so again in the log.
const resyncWarnEvery = time.Hour

// maxAfterShare bounds the CPU charged to a step for what the process
// spent after it, until the next step started: at most twice the step's
// own CPU. The work a step causes after its window (the collector, the
// runtime's threads going idle, timers) counts against the budget, while
// work that has nothing to do with the resync (health checks, edits) can
// slow the resync to a third of the pace its own steps allow, never stop
// it.
const maxAfterShare = 2

// stepMark is the wall clock and the process's CPU time at the start of a
// resync step, and the CPU charged to it for the time since the previous
// step ended.
type stepMark struct {
	at    time.Time
	cpu   time.Duration
	cpuOK bool
	after time.Duration
}

// resyncCycle is one complete cycle of the spread resync: every service
// re-read once.
type resyncCycle struct {
	// length is from the cycle's first step to the next cycle's first
	// step: how long a change made by hand may wait to be read.
	length time.Duration
	// cpu is the process's CPU time across the cycle's steps and the
	// rounds they ran (the dumps' kernel time included), and between the
	// steps up to maxAfterShare times each step's own.
	cpu time.Duration
	// services are the services the cycle re-read.
	services int
	// held reports that the CPU budget or the wall-time share made some
	// step wait longer than the interval's share of one slice.
	held bool
}

// meterCPU returns the CPU meter of the spread: processCPU unless a test
// set another.
func (sp *spread) meterCPU() (time.Duration, error) {
	if sp.meter != nil {
		return sp.meter()
	}
	return processCPU()
}

// mark starts the accounting of a step at now. The CPU the process spent
// since the previous step ended is charged to this step, up to
// maxAfterShare times the previous step's own.
func (sp *spread) mark(now time.Time) stepMark {
	c, err := sp.meterCPU()
	m := stepMark{at: now, cpu: c, cpuOK: err == nil}
	if m.cpuOK && sp.endOK {
		m.after = min(max(c-sp.endCPU, 0), maxAfterShare*sp.ownCPU)
	}
	sp.endOK = false
	return m
}

// stepDone ends the accounting of the step started at m, which ended at
// now with the round it ran, if any, and returns when the next step may
// start. The step's CPU is the process's CPU across it, plus what mark
// charged it for the time before it; where that cannot be measured, the
// step is taken to have kept one core busy throughout.
func (sp *spread) stepDone(m stepMark, now time.Time, budget float64) time.Time {
	took := now.Sub(m.at)
	cpu := took
	if m.cpuOK {
		if c, err := sp.meterCPU(); err == nil {
			cpu = c - m.cpu
			sp.endCPU, sp.endOK, sp.ownCPU = c, true, cpu
		}
	}
	cpu += m.after
	sp.cycleCPU += cpu
	period, held := sp.period(took, cpu, budget)
	sp.held = sp.held || held
	return m.at.Add(period)
}

// cadence is the interval's share of one slice: the time from one step's
// start to the next when nothing holds the resync back.
func (sp *spread) cadence() time.Duration {
	return sp.interval / time.Duration(max(sp.slices, 1))
}

// period is the time from the start of a step that took took of wall time
// and cpu of CPU to the start of the next: the cadence, stretched so that
// the step's CPU is at most budget (a share of one core) of the period and
// its wall time at most 1/maxResyncShare of it. held reports a stretch.
func (sp *spread) period(took, cpu time.Duration, budget float64) (time.Duration, bool) {
	p := max(took*maxResyncShare, time.Duration(float64(cpu)/budget))
	if c := sp.cadence(); p > c {
		return p, true
	}
	return sp.cadence(), false
}

// closeCycle ends the cycle that started at sp.start when the next one
// starts at now, and returns it; ok is false when no cycle was running.
func (sp *spread) closeCycle(now time.Time) (c resyncCycle, ok bool) {
	if !sp.start.IsZero() {
		c, ok = resyncCycle{length: now.Sub(sp.start), cpu: sp.cycleCPU, services: len(sp.keys), held: sp.held}, true
	}
	sp.cycleCPU, sp.held = 0, false
	return c, ok
}

// abandonCycle drops the cycle in progress (a failed read or an invalid
// cache restarts it): a cycle that did not re-read every service is not
// counted.
func (sp *spread) abandonCycle() {
	sp.next, sp.start, sp.cycleCPU, sp.held = 0, time.Time{}, 0, false
	sp.endOK = false
}

// resyncBudget is the share of one core the resync may use: the config's
// node.resync_cpu, else desired.DefaultResyncCPU.
func (l *Loop) resyncBudget() float64 {
	if b := l.cfg.Node.ResyncCPU; b > 0 {
		return min(b, 1)
	}
	return desired.DefaultResyncCPU
}

// cycleDone records a complete cycle in the status and says in the log when
// cycles start or stop taking longer than the interval, and again every
// resyncWarnEvery while they do.
func (l *Loop) cycleDone(c resyncCycle, now time.Time) {
	sp := &l.spread
	budget := l.resyncBudget()
	stretched := c.held && c.length > sp.interval
	l.setStatus(func(s *Status) {
		r := &s.Resync
		r.Interval, r.CPUBudget = sp.interval, budget
		r.Cycles++
		if stretched {
			r.Stretched++
		}
		r.LastCycle, r.LastCycleCPU, r.LastCycleServices, r.LastCycleStretched = c.length, c.cpu, c.services, stretched
	})
	share := c.cpu.Seconds() / max(c.length.Seconds(), 1e-9)
	switch {
	case stretched && (!sp.stretched || now.Sub(sp.warned) >= resyncWarnEvery):
		l.o.Log.Warn("resync: the cycle took longer than the resync interval, to stay under its CPU budget",
			"took", c.length.Round(time.Millisecond), "interval", sp.interval, "cpu", c.cpu.Round(time.Millisecond),
			"cpu_share", round3(share), "budget", budget, "services", c.services)
		sp.warned = now
	case !stretched && sp.stretched:
		l.o.Log.Info("resync: the cycle fits in the resync interval again",
			"took", c.length.Round(time.Millisecond), "interval", sp.interval, "cpu", c.cpu.Round(time.Millisecond),
			"cpu_share", round3(share), "budget", budget, "services", c.services)
	}
	sp.stretched = stretched
}

// round3 rounds a share to three decimals for the log.
func round3(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }
