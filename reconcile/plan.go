package reconcile

import "github.com/seesaw-lb/seesaw/kernel"

// Step is one operation of a plan with what it replaces, for rendering.
type Step struct {
	Op kernel.Op
	// Old is the live service settings an UpdateService replaces.
	OldService kernel.ServiceConfig
	// OldDestination is the live destination settings an UpdateDestination
	// replaces or a DeleteDestination removes.
	OldDestination kernel.DestinationConfig
	// Reason says why a destination has its weight ("healthy", "draining", ...).
	Reason Reason
	// Check is set for the steps of a check service (a per-backend fwmark
	// service of dsr/tunnel checks); they render as "check service".
	Check bool
}

// Plan is the ordered list of steps that turns the live state into the
// target: add services, add/update destinations, delete destinations,
// delete services.
type Plan struct {
	// Steps are the steps to apply; when Held, the part the guard let through.
	Steps []Step
	// Owned is how many live services are inside the scope.
	Owned int
	// Held is set when the mass-delete guard held back the plan's service
	// deletions; HeldReason says why and HeldSteps are the deletions, in
	// plan order (they are not in Steps).
	Held       bool
	HeldReason string
	HeldSteps  []Step
}

// Ops returns the plan's kernel operations in order.
func (p Plan) Ops() []kernel.Op {
	ops := make([]kernel.Op, len(p.Steps))
	for i := range p.Steps {
		ops[i] = p.Steps[i].Op
	}
	return ops
}

// Empty reports whether the plan changes nothing.
func (p Plan) Empty() bool { return len(p.Steps) == 0 }

// Count returns how many steps of each kind the plan holds.
func (p Plan) Count() map[kernel.OpKind]int {
	m := map[kernel.OpKind]int{}
	for _, s := range p.Steps {
		m[s.Op.Kind]++
	}
	return m
}
