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
	// Master is the mastership the last round used.
	Master bool
	// LastRound is when the last round ran; zero before the first.
	LastRound time.Time
	// LastFullRead is when the kernel table was last read in full.
	LastFullRead time.Time
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
	// Held is the mass-delete guard's reason when it held the last plan back.
	Held string
	// Services are the watermark positions of the last round.
	Services []ServiceStatus
	// Target is what the last round planned towards: each destination's
	// effective weight and the reason for it. A held plan's target was
	// not applied (Held says so).
	Target Target
	// Addresses are the VIPs the node holds after the last round.
	Addresses []Address
	// CheckMarks are the check-service marks of the last round (CheckDialOf).
	CheckMarks CheckMarks
	// Rounds and OpsApplied count since start.
	Rounds     int
	OpsApplied int
}

// maxStatusSteps bounds the plan lines kept in Status.LastPlan.
const maxStatusSteps = 100

// planLines renders at most maxStatusSteps steps of p.
func planLines(p Plan) []string {
	n := min(len(p.Steps), maxStatusSteps)
	out := make([]string, 0, n+1)
	for _, s := range p.Steps[:n] {
		out = append(out, StepLine(s))
	}
	if len(p.Steps) > n {
		out = append(out, fmt.Sprintf("... %d more", len(p.Steps)-n))
	}
	return out
}
