package reconcile

import "github.com/seesaw-lb/seesaw/kernel"

// Outcome is the result of one planning round: the target, the guarded
// plan, and the states to pass to the next round.
type Outcome struct {
	Target   Target
	Plan     Plan
	States   ServiceStates
	Draining Draining
	// namesSorted: the config's services were found sorted by unique name.
	namesSorted bool
}

// Compute runs one pure planning round: the target of the config, health
// and mastership (effective), the check services of dsr/tunnel checks (marks
// stable against live), the drain of destinations that left the config, the
// minimal diff against live and the mass-delete guard. Same inputs, same
// Outcome; live is not modified.
func Compute(live kernel.Snapshot, in Inputs) Outcome {
	live = kernel.Snapshot{Services: sortedLive(live, true)}
	t := effectiveOf(in.Config, in.Health, in.mastership(), in.States)
	marks, _ := allocateCheckMarks(in.Config, live)
	t = withCheckServices(t, marks)
	t, draining := drain(live, t, in.Draining, configDrainTimeouts(in.Config), in.Now)
	p := diff(live, t, scopeOf(in.Config))
	p = guard(p, in.Config.Node.MassDelete, in.AllowMassDelete)
	return Outcome{Target: t, Plan: p, States: t.States(), Draining: draining}
}
