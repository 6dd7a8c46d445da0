package checks

import "time"

// clock gives the engine the time and the Run loop's timer. The engine
// reads every timestamp from it (due times, results, events, deadlines);
// the timeouts of the checkers' own I/O are durations on the system clock,
// so a replacement must advance at the system clock's pace. Tests set
// Options.clock to move time forward without waiting.
type clock interface {
	Now() time.Time
	NewTimer(d time.Duration) timer
}

// timer is the part of time.Timer the Run loop uses.
type timer interface {
	C() <-chan time.Time
	Reset(d time.Duration)
	Stop()
}

// systemClock is the real clock.
type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) NewTimer(d time.Duration) timer { return systemTimer{time.NewTimer(d)} }

// systemTimer adapts a time.Timer to timer.
type systemTimer struct{ t *time.Timer }

func (s systemTimer) C() <-chan time.Time   { return s.t.C }
func (s systemTimer) Reset(d time.Duration) { s.t.Reset(d) }
func (s systemTimer) Stop()                 { s.t.Stop() }
