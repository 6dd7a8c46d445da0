package checks

import (
	"log/slog"
	"time"
)

// Result is one completed check, as given to Options.OnResult.
type Result struct {
	Key  Key
	Type Type
	// Err is nil for a success.
	Err error
	// Latency is how long the check took; At is when it completed.
	Latency time.Duration
	At      time.Time
}

// done is a finished check on its way to the engine's records.
type done struct {
	job        job
	start, end time.Time
	err        error
	changed    bool // set by finishLocked: the result changed the state
}

// finishLocked counts a result and, unless the check was removed
// meanwhile, records it, applies hysteresis and reschedules the check.
func (e *Engine) finishLocked(d *done) {
	e.stats.Completed++
	if !d.job.ent.removed {
		d.changed = e.recordLocked(d.job, d.start, d.end, d.err)
	}
}

// after logs a state change and reports the result to Options.OnResult,
// outside the engine lock: a slow log sink or observer must not stall
// checks.
func (e *Engine) after(d *done) {
	ent := d.job.ent
	if d.changed {
		e.opts.Logger.Info("check state changed", slog.String("target", ent.key.Target.String()),
			slog.String("type", string(ent.spec.spec.Type)), slog.String("state", changedTo(d.err).String()),
			slog.Any("error", d.err))
	}
	if e.opts.OnResult != nil {
		e.opts.OnResult(Result{Key: ent.key, Type: ent.spec.spec.Type, Err: d.err, Latency: d.end.Sub(d.start), At: d.end})
	}
}

// changedTo is the state a state-changing result leads to.
func changedTo(err error) State {
	if err == nil {
		return StateUp
	}
	return StateDown
}

// recordLocked notes a result, applies hysteresis and reschedules the
// check; it reports whether the state changed.
func (e *Engine) recordLocked(j job, start, end time.Time, err error) bool {
	ent, s := j.ent, &j.ent.spec.spec
	ent.rec.result(start, end, err)
	if err != nil {
		e.stats.Failed++
	}
	changed := ent.health.observe(err == nil, s.Rise, s.Fall)
	if changed {
		ent.rec.transition(end)
		e.batches.add(Event{Key: ent.key, State: ent.health.state, At: end, Err: err}, end)
	}
	d := jittered(nextInterval(s, ent.health), e.opts.Jitter, e.rng.Float64())
	ent.due = nextDue(j.due, end, d).UnixNano()
	e.heap.schedule(ent)
	return changed
}
