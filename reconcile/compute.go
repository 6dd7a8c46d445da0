package reconcile

import (
	"sort"
	"time"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
)

// Inputs are everything one planning round depends on, as plain values.
type Inputs struct {
	Config desired.Config
	Health Health
	Master bool
	// States are the watermark states of the previous round (nil at start).
	States ServiceStates
	// Draining are the drain deadlines of the previous round (nil at start).
	Draining Draining
	// Now is the time the round runs at (drain deadlines).
	Now time.Time
	// AllowMassDelete overrides the mass-delete guard (--allow-mass-delete).
	AllowMassDelete bool
}

// Outcome is the result of one planning round: the target, the guarded
// plan, and the states to pass to the next round.
type Outcome struct {
	Target   Target
	Plan     Plan
	States   ServiceStates
	Draining Draining
}

// Compute runs one pure planning round: Effective, the check services of
// dsr/tunnel checks (marks stable against live), drain, diff and guard.
func Compute(live kernel.Snapshot, in Inputs) Outcome {
	live = kernel.Snapshot{Services: sortedLive(live, true)}
	t := Effective(in.Config, in.Health, in.Master, in.States)
	marks, _ := AllocateCheckMarks(in.Config, live)
	t = withCheckServices(t, marks)
	t, draining := drain(live, t, in.Draining, configDrainTimeouts(in.Config), in.Now)
	p := diff(live, t, scopeOf(in.Config))
	p = guard(p, in.Config.Node.MassDelete, in.AllowMassDelete)
	return Outcome{Target: t, Plan: p, States: t.States(), Draining: draining}
}

// configDrainTimeouts looks drain timeouts up in cfg (services sorted by name).
func configDrainTimeouts(cfg desired.Config) drainTimeouts {
	return func(name string) time.Duration {
		i := sort.Search(len(cfg.Services), func(i int) bool { return cfg.Services[i].Name >= name })
		if i < len(cfg.Services) && cfg.Services[i].Name == name {
			return cfg.Services[i].DrainTimeout
		}
		return desired.DefaultDrainTimeout
	}
}
