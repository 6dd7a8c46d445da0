package reconcile

import (
	"fmt"
	"time"

	"github.com/seesaw-lb/seesaw/kernel"
)

// Status is what the loop reports (status command, metrics): the config in
// force, the config error held back, and the last round.
type Status struct {
	// Generation counts the valid configs taken into force (0: none yet).
	Generation int
	// Files are the source files of the config in force.
	Files []string
	// ConfigError is the latest config error (file:line:col ...), "" when the
	// latest config is valid; the previous valid config keeps running meanwhile.
	ConfigError string
	// Master is the mastership the last round used: true while the node
	// holds the addresses of some VRRP instance (a standalone node: always).
	Master bool
	// Instances is the mastership of each VRRP instance of the config the
	// last round used, by name (nil on a standalone node).
	Instances map[string]bool
	// LastRound is when the last round ran; zero before the first.
	LastRound time.Time
	// LastFullRead is when the kernel table was last read in full.
	LastFullRead time.Time
	// Resync is the periodic resync's pacing and last complete cycle.
	Resync ResyncStatus
	// Applied and Failed count the ops of the last round by kind.
	Applied map[kernel.OpKind]int
	Failed  map[kernel.OpKind]int
	// LastPlan is the last non-empty plan as diff lines (StepLine), at most
	// maxStatusSteps (100) of them, then a "... N more" line.
	LastPlan []string
	// PlanTime is how long the last round's planning (Compute) took.
	PlanTime time.Duration
	// Error is the last round's error ("" when it succeeded).
	Error string
	// Held is the mass-delete guard's reason when it held back the last
	// plan's service deletions (LastPlan lists them as "  held: " lines).
	Held string
	// Services are the watermark positions of the last round.
	Services []ServiceStatus
	// Target is what the last round planned towards: each destination's
	// effective weight and the reason for it. When Held, the services
	// whose deletion was held back are still in the kernel, not in Target.
	Target Target
	// Addresses are the VIPs the node holds after the last round.
	Addresses []Address
	// CheckMarks are the check-service marks of the last round (CheckDialOf).
	CheckMarks CheckMarks
	// SettingsApplied and SettingsFailed count the node-setting ops
	// (node.ipvs) of the last round; the Total ones since start. LastPlan
	// lists them as "~ set ..." lines after the IPVS steps.
	SettingsApplied, SettingsFailed           SettingCounts
	SettingsAppliedTotal, SettingsFailedTotal SettingCounts
	// Rounds and OpsApplied count since start.
	Rounds     int
	OpsApplied int
}

// maxStatusSteps bounds the plan lines kept in Status.LastPlan.
const maxStatusSteps = 100

// planLines renders at most maxStatusSteps steps of p, the steps the guard
// held back last ("  held: ..." lines).
func planLines(p Plan) []string {
	all := len(p.Steps) + len(p.HeldSteps)
	n := min(all, maxStatusSteps)
	out := make([]string, 0, n+1)
	for i := range n {
		if i < len(p.Steps) {
			out = append(out, StepLine(p.Steps[i]))
		} else {
			out = append(out, heldLine(p.HeldSteps[i-len(p.Steps)]))
		}
	}
	if all > n {
		out = append(out, fmt.Sprintf("... %d more", all-n))
	}
	return out
}
