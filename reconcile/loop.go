package reconcile

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/netip"
	"sync"
	"time"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/checkpath"
)

// LoopOptions wire a Loop to the outside world.
type LoopOptions struct {
	Kernel kernel.IPVS
	// VIPs manages the VIP addresses; nil leaves addresses alone.
	VIPs VIPManager
	// SyncDaemons switches the connection-sync daemon with mastership; nil
	// leaves the daemons alone.
	SyncDaemons SyncDaemons
	// CheckRoutes keeps the host routes of dsr/tunnel checks (one per VIP of
	// a service with such a check); nil leaves routes alone.
	CheckRoutes checkpath.Routes
	// CheckSysctls sets accept_local while dsr/tunnel checks exist; nil
	// leaves sysctls alone.
	CheckSysctls *CheckSysctls
	// Settings keeps the IPVS timeouts and net.ipv4.vs sysctls of
	// node.ipvs; nil leaves them alone.
	Settings *NodeSettings
	Log      *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Backoff is the retry delay after a failed or uncertain apply.
	Backoff Backoff
	// AllowMassDelete overrides the mass-delete guard.
	AllowMassDelete bool
	// Adopted is the table as read at start (the daemon reads it to adopt
	// the previous process's health verdicts). The first round plans
	// against it instead of reading the table a second time; nil: the
	// first round reads it. Drift made after that read is repaired by the
	// periodic resync, as any drift is.
	Adopted *kernel.Snapshot
	// OnRound, if set, receives the loop's status after every round. It is
	// called on the goroutine running the loop, which waits for it: it must
	// not block (hand the status over without waiting, e.g. to a buffered
	// channel, and drop or replace a value not yet read).
	OnRound func(Status)
}

// Loop is the daemon's reconcile loop. It keeps the last valid config, the
// latest health and mastership, and the live table as last read and
// patched with what it applied, so an edit costs a plan and the changed ops,
// not a full re-read. Inputs arrive through its methods (safe from any
// goroutine); Run reconciles after each batch of them and on its timers.
type Loop struct {
	o LoopOptions
	// pending holds the inputs not yet taken; wake (1-buffered) tells Run
	// there are some. Senders never block, before, during or after Run.
	pendingMu sync.Mutex
	pending   pendingInputs
	wake      chan struct{}
	// calls are requests that must run on Run's goroutine and wait for it
	// (Release); stopped is closed when Run returns, so they run inline
	// after that.
	calls   chan func()
	stopped chan struct{}
	// roundStop cancels the round in flight (Release interrupts it); l.mu.
	roundStop context.CancelFunc
	stopOnce  sync.Once

	// vipsFor is the mastership the VIPs were last synced for, once
	// vipsSynced (takeover.go); keep are the VIPs the last round kept for
	// the mass-delete guard (heldPolicy). The Run goroutine's.
	vipsFor    mastership
	vipsSynced bool
	keep       []netip.Addr
	policy     policyMemo // the address policy of the last config (vips_policy.go)

	// owned by the Run goroutine
	cfg     desired.Config
	haveCfg bool
	health  Health
	master  bool
	// instances is the mastership of single VRRP instances (mastership.of).
	instances map[string]bool
	live      kernel.Snapshot
	liveOK    bool
	order     liveOrder // whether live is known sorted (loop_order.go); its array is the loop's alone, patched in place
	spread    spread    // the periodic resync's progress
	states    ServiceStates
	draining  Draining
	failures  int
	// prev is the last round whose plan was applied in full to the cached
	// table: the next round plans only what changed since (nil: plan all).
	prev *Round
	// incremental records whether the current round planned incrementally.
	incremental bool

	mu     sync.Mutex
	status Status
}

// NewLoop returns a loop that starts by adopting the kernel state: its first
// round reads the whole table (or takes o.Adopted) and changes only what the
// config says.
func NewLoop(o LoopOptions) *Loop {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Backoff == (Backoff{}) {
		o.Backoff = DefaultBackoff
	}
	l := &Loop{o: o, wake: make(chan struct{}, 1), calls: make(chan func()), stopped: make(chan struct{}), master: true}
	if o.Adopted != nil {
		l.live, l.liveOK = *o.Adopted, true
	}
	return l
}

// SetConfig puts a valid config into force and clears the config error.
// Like every input, it returns at once: the loop takes the latest value of
// each input before its next round.
func (l *Loop) SetConfig(cfg desired.Config) {
	l.set(func(p *pendingInputs) {
		empty := ""
		p.configs, p.cfg, p.configErr = p.configs+1, cfg, &empty
	})
}

// ConfigError records an invalid config; the config in force keeps running.
func (l *Loop) ConfigError(err error) {
	l.o.Log.Error("invalid configuration, keeping the last valid one", "error", err.Error())
	msg := err.Error()
	l.set(func(p *pendingInputs) { p.configErr = &msg })
}

// SetHealth replaces the health verdicts (the daemon passes a fresh map).
func (l *Loop) SetHealth(h Health) {
	l.set(func(p *pendingInputs) { p.health, p.haveHealth = h, true })
}

// SetMaster sets the VRRP mastership of every instance (of the one
// instance of `node.vrrp`; of a standalone node).
func (l *Loop) SetMaster(m bool) {
	l.set(func(p *pendingInputs) { p.master, p.haveMaster, p.instances = m, true, nil })
	if m {
		l.interruptRound() // a takeover never waits for a round (takeover.go)
	}
}

// Resync forces a full re-read of the kernel on the next round.
func (l *Loop) Resync() { l.set(func(p *pendingInputs) { p.resync = true }) }

// Status returns a copy of the loop's status.
func (l *Loop) Status() Status {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.status
	s.Applied, s.Failed = maps.Clone(s.Applied), maps.Clone(s.Failed)
	return s
}

func (l *Loop) setStatus(f func(*Status)) {
	l.mu.Lock()
	f(&l.status)
	l.mu.Unlock()
}

// Run reconciles until ctx is done: after every batch of inputs, at the
// next drain deadline, after a failed round with backoff, and once every
// resync interval (node.resync_interval, else resync). The resync re-reads
// the kernel spread over the interval, a slice of the services a second
// (see spread), under a CPU budget (node.resync_cpu) that may stretch the
// cycle, and repairs drift with a round as soon as a slice shows it; an
// interval under two seconds re-reads in full once per interval. It leaves
// the kernel as it is when it returns.
func (l *Loop) Run(ctx context.Context, resync time.Duration) error {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	defer l.stopOnce.Do(func() { close(l.stopped) })
	l.spread = newSpread(resync)
	nextStep := time.Now().Add(l.spread.cadence())
	var roundAt time.Time // when a round is due without input (zero: none)
	for {
		input := true
		select {
		case <-ctx.Done():
			return nil
		case <-l.wake:
			l.drainEvents()
		case f := <-l.calls:
			l.drainEvents() // inputs sent before the call come first
			f()
		case <-timer.C:
			input = false
		}
		now := time.Now() // the timers are real: schedule them on the real clock
		if l.haveCfg && l.cfg.Node.ResyncInterval > 0 && l.cfg.Node.ResyncInterval != resync {
			resync, l.spread = l.cfg.Node.ResyncInterval, newSpread(l.cfg.Node.ResyncInterval)
			nextStep = now.Add(l.spread.cadence())
		}
		run := input || (!roundAt.IsZero() && !now.Before(roundAt))
		// A resync step is paced by its CPU and wall time, the round it
		// asks for included (resync_pace.go). A takeover's round goes
		// first; the step follows it.
		stepRound := false
		var step stepMark
		if resync > 0 && !now.Before(nextStep) && !(l.haveCfg && l.takeoverDue()) {
			step = l.spread.mark(now)
			if stepRound = l.haveCfg && l.resyncStep(ctx, now); stepRound {
				run = true
			} else {
				nextStep = l.spread.stepDone(step, time.Now(), l.resyncBudget())
			}
		}
		if run {
			roundAt = time.Time{}
			if wait := l.interruptibleRound(ctx); wait > 0 {
				roundAt = now.Add(wait)
			}
		}
		if stepRound {
			nextStep = l.spread.stepDone(step, time.Now(), l.resyncBudget())
		}
		wait := time.Hour
		if !roundAt.IsZero() {
			wait = roundAt.Sub(now)
		}
		if untilStep := nextStep.Sub(now); resync > 0 && untilStep < wait {
			wait = untilStep
		}
		timer.Reset(max(wait, 0))
	}
}

// Round runs one reconcile round and returns when the next must run at the
// latest (0: only on the next input or resync). A round after a timer with
// no input re-reads the kernel when the cache is stale.
func (l *Loop) Round(ctx context.Context) time.Duration {
	if !l.haveCfg {
		return 0
	}
	now, start := l.o.Now(), time.Now()
	st := Status{Applied: map[kernel.OpKind]int{}, Failed: map[kernel.OpKind]int{}}
	err := l.round(ctx, now, &st)
	l.setStatus(func(s *Status) {
		s.LastRound, s.Rounds = now, s.Rounds+1
		s.Master, s.Instances = l.mastership().holdsAny(l.cfg), l.instanceStatus()
		s.Applied, s.Failed, s.Held, s.Services = st.Applied, st.Failed, st.Held, st.Services
		s.PlanTime, s.CheckMarks = st.PlanTime, st.CheckMarks
		if st.Target.Services != nil || st.Target.Status != nil {
			s.Target = st.Target
		}
		if st.LastPlan != nil {
			s.LastPlan = st.LastPlan
		}
		s.addSettings(&st)
		s.OpsApplied += sumCounts(st.Applied)
		if !st.LastFullRead.IsZero() {
			s.LastFullRead = st.LastFullRead
		}
		if st.Addresses != nil {
			s.Addresses = st.Addresses
		}
		s.Error = ""
		if err != nil {
			s.Error = err.Error()
		}
	})
	if l.status.Rounds == 1 {
		// The daemon's start: adopting a table, or a cold start's load.
		l.o.Log.Info("first round done", "ops", sumCounts(st.Applied), "failed", sumCounts(st.Failed),
			"took_ms", ms(time.Since(start)), "error", errString(err))
	}
	if l.o.OnRound != nil {
		l.o.OnRound(l.Status())
	}
	if err != nil && ctx.Err() != nil {
		l.o.Log.Info("reconcile round interrupted", "error", err.Error())
		return time.Millisecond
	}
	if err != nil {
		l.failures++
		d := l.o.Backoff.Delay(l.failures)
		l.o.Log.Error("reconcile failed", "error", err.Error(), "retry_in", d)
		return d
	}
	l.failures = 0
	if next, ok := l.draining.Next(); ok {
		return max(next.Sub(now), time.Millisecond)
	}
	return 0
}

// round reads the kernel if needed, plans, applies and patches the cache.
func (l *Loop) round(ctx context.Context, now time.Time, st *Status) error {
	takeoverErr := l.takeoverVIPs(ctx, st)
	fresh := !l.liveOK
	if fresh {
		if err := l.readLive(ctx, now, st); err != nil {
			return err
		}
	}
	planStart := time.Now()
	out, in := l.compute(now)
	if !fresh && deletesUnnamed(out.Plan) {
		// Connection counts decide whether a removed backend may go now: take
		// them from a fresh read, not from the cached table.
		if err := l.readLive(ctx, now, st); err != nil {
			return err
		}
		out, in = l.compute(now)
	}
	l.prev = nil
	l.states, l.draining, st.Services = out.States, out.Draining, out.Target.Status
	st.CheckMarks, st.Target = out.Target.CheckMarks, out.Target
	st.PlanTime = time.Since(planStart)
	if !out.Plan.Empty() || out.Plan.Held {
		st.LastPlan = planLines(out.Plan)
	}
	if out.Plan.Held {
		st.Held = out.Plan.HeldReason
		l.o.Log.Warn("service deletions held back", "reason", out.Plan.HeldReason,
			"held", len(out.Plan.HeldSteps), "applied", len(out.Plan.Steps))
	}
	// A held plan applies the rest of its steps; the next round plans in
	// full, as the held deletions are still pending.
	var ipvsErr error
	if ipvsErr = l.applyPlan(ctx, out.Plan, st); ipvsErr != nil {
		l.liveOK = false // never trust the cache after a failed or uncertain op
	} else if !out.Plan.Held {
		l.prev = &Round{Inputs: in, Outcome: out}
	}
	// VIPs follow mastership even when IPVS could not be fully programmed
	// or the plan is held: a takeover must never wait for an unrelated op.
	var vipErr error
	if l.o.VIPs != nil {
		pol := l.policy.held(l.cfg, out.Plan, l.mastership().holdsAny(l.cfg))
		l.keep = pol.Keep
		st.Addresses, vipErr = l.o.VIPs.Sync(ctx, out.Target.Addresses, pol)
		if vipErr != nil {
			vipErr = fmt.Errorf("VIP addresses: %w", vipErr)
		} else {
			l.vipsFor, l.vipsSynced = l.mastership(), true
		}
	}
	var syncErr error
	if l.o.SyncDaemons != nil {
		if err := syncDaemons(ctx, l.o.SyncDaemons, l.cfg); err != nil {
			syncErr = fmt.Errorf("sync daemon: %w", err)
		}
	}
	var routeErr error
	if l.o.CheckRoutes != nil {
		if err := syncCheckRoutes(ctx, l.o.CheckRoutes, checkRoutesOf(l.cfg)); err != nil {
			routeErr = fmt.Errorf("check routes: %w", err)
		}
	}
	if l.o.CheckSysctls != nil {
		if err := l.o.CheckSysctls.Sync(l.cfg); err != nil {
			routeErr = errors.Join(routeErr, fmt.Errorf("check sysctls: %w", err))
		}
	}
	settingsErr := l.syncSettings(ctx, st)
	return errors.Join(takeoverErr, ipvsErr, vipErr, syncErr, routeErr, settingsErr)
}

// readLive reads the whole table into the cache.
func (l *Loop) readLive(ctx context.Context, now time.Time, st *Status) error {
	live, err := l.o.Kernel.Snapshot(ctx)
	if err != nil {
		return fmt.Errorf("read IPVS table: %w", err)
	}
	l.live, l.liveOK, st.LastFullRead = live, true, now
	l.prev = nil // the table may have drifted: the next plan covers everything
	return nil
}

// compute plans against the cached table: only what changed since the
// previous round when that round was applied in full, else everything.
func (l *Loop) compute(now time.Time) (Outcome, Inputs) {
	in := Inputs{Config: l.cfg, Health: l.health, Master: l.master, Instances: l.instances, States: l.states,
		Draining: l.draining, Now: now, AllowMassDelete: l.o.AllowMassDelete}
	if l.prev != nil {
		if out, ok := computeIncremental(l.live, l.order.sorted(l.live), in, *l.prev); ok {
			l.incremental = true
			return out, in
		}
	}
	l.incremental = false
	return Compute(l.live, in), in
}

// deletesUnnamed reports whether the plan deletes a destination the config
// no longer names or an idle fallback (a drain that ended).
func deletesUnnamed(p Plan) bool {
	for _, s := range p.Steps {
		if s.Op.Kind == kernel.DeleteDestination && (s.Reason == ReasonNotInConfig || s.Reason == ReasonFallbackIdle) {
			return true
		}
	}
	return false
}

// applyPlan applies the plan's ops and patches the cached table; a failed
// or uncertain op invalidates the cache so the retry re-reads the kernel.
func (l *Loop) applyPlan(ctx context.Context, p Plan, st *Status) error {
	if p.Empty() {
		return nil
	}
	applyStart := time.Now()
	res, err := l.o.Kernel.Apply(ctx, p.Ops())
	if err != nil {
		return fmt.Errorf("apply %d operations: %w", len(p.Steps), err)
	}
	var first error
	for _, r := range res {
		if r.Err != nil {
			st.Failed[r.Op.Kind]++
			l.o.Log.Error("operation failed", "op", r.Op.String(), "error", r.Err.Error(), "uncertain", r.Uncertain)
			first = cmpErr(first, r.Err)
			continue
		}
		st.Applied[r.Op.Kind]++
	}
	l.live = patchOwned(l.live, l.order.sorted(l.live), res)
	l.order.mark(l.live)
	l.o.Log.Info("applied plan", "ops", len(res), "failed", sumCounts(st.Failed),
		"plan_ms", ms(st.PlanTime), "apply_ms", ms(time.Since(applyStart)), "incremental", l.incremental)
	if first != nil {
		return fmt.Errorf("%d of %d operations failed, first: %w", sumCounts(st.Failed), len(res), first)
	}
	return nil
}

func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}

func sumCounts(m map[kernel.OpKind]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// ms renders a duration as fractional milliseconds for logs.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
