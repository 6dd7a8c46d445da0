package daemon

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/reconcile"
)

// PlanInputs are the running daemon's planning inputs (GET /plan-inputs):
// what its next round plans with besides the files and the kernel table.
// `seesaw-reconcile plan` loads the files itself, applies Drained to them
// and plans with Inputs, so its preview is the daemon's next round.
type PlanInputs struct {
	// Generation is the config generation in force (0: none yet).
	Generation int `json:"generation"`
	// HaveConfig is false until the daemon has a valid config.
	HaveConfig bool `json:"have_config"`
	// VRRP is true when the config in force has a vrrp section; Master is
	// the mastership the next round uses (a standalone node is master
	// unless run with --backup).
	VRRP   bool `json:"vrrp"`
	Master bool `json:"master"`
	// Instances is the mastership of single VRRP instances by name
	// (reconcile.Inputs.Instances); an instance not listed follows Master.
	Instances map[string]bool `json:"instances,omitempty"`
	// Health are the check verdicts per backend; a backend not listed is
	// unknown (reconcile.Health).
	Health []BackendHealth `json:"health"`
	// Drained are the backends drained by hand (ADDRESS or ADDRESS:PORT).
	Drained []string `json:"drained_by_hand"`
	// States are the services' watermark states (true: up).
	States map[string]bool `json:"service_states"`
	// Draining are the destinations that left the config, with the time
	// they are deleted at the latest.
	Draining []DrainDeadline `json:"draining"`
	// Held are the VIP addresses the node holds now.
	Held []HeldAddress `json:"held_addresses"`
	// AllowMassDelete is the daemon's --allow-mass-delete.
	AllowMassDelete bool `json:"allow_mass_delete"`
	// Now is the daemon's clock when the inputs were taken.
	Now time.Time `json:"now"`
}

// BackendHealth is one backend's check verdict.
type BackendHealth struct {
	Key     reconcile.BackendKey `json:"backend"`
	Healthy bool                 `json:"healthy"`
}

// DrainDeadline is one destination that left the config and drains until
// Deadline.
type DrainDeadline struct {
	Key      reconcile.DrainKey `json:"destination"`
	Deadline time.Time          `json:"deadline"`
}

// HeldAddress is one VIP the node holds.
type HeldAddress = reconcile.Address

// Inputs returns the reconcile inputs of the daemon's next round for cfg,
// the config as loaded from the files: the drains by hand are applied to
// it as the daemon applies them.
func (p PlanInputs) Inputs(cfg desired.Config) reconcile.Inputs {
	in := reconcile.Inputs{Config: applyOverrides(cfg, overrides{Drained: p.Drained}), Master: p.Master,
		Instances: p.Instances, Health: reconcile.Health{}, States: reconcile.ServiceStates{}, Draining: reconcile.Draining{},
		Now: p.Now, AllowMassDelete: p.AllowMassDelete}
	for _, h := range p.Health {
		in.Health[h.Key] = h.Healthy
	}
	for name, up := range p.States {
		in.States[name] = up
	}
	for _, d := range p.Draining {
		in.Draining[d.Key] = d.Deadline
	}
	return in
}

// Unhealthy counts the backends whose checks say unhealthy.
func (p PlanInputs) Unhealthy() int {
	n := 0
	for _, h := range p.Health {
		if !h.Healthy {
			n++
		}
	}
	return n
}

// Describe says whose state a plan used, e.g. "planned with the running
// daemon: master, generation 41, 2 backends unhealthy, 1 drained by hand".
func (p PlanInputs) Describe() string {
	role := "backup"
	if p.Master {
		role = "master"
	}
	if m, ok := p.Instances[desired.DefaultInstance]; ok && len(p.Instances) == 1 {
		role = map[bool]string{true: "master", false: "backup"}[m]
	} else if len(p.Instances) > 0 {
		role = instanceRoles(p.Master, p.Instances)
	}
	if !p.VRRP {
		role = "standalone " + role
	}
	parts := []string{role, fmt.Sprintf("generation %d", p.Generation),
		fmt.Sprintf("%d %s unhealthy", p.Unhealthy(), plural(p.Unhealthy(), "backend", "backends")),
		fmt.Sprintf("%d drained by hand", len(p.Drained))}
	if len(p.Draining) > 0 {
		parts = append(parts, fmt.Sprintf("%d draining out of the config", len(p.Draining)))
	}
	return "planned with the running daemon: " + strings.Join(parts, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// planInputs takes the inputs of the loop's next round and the drains by
// hand.
func (w *wiring) planInputs(ctx context.Context) (PlanInputs, error) {
	next, err := w.loop.Next(ctx)
	if err != nil {
		return PlanInputs{}, err
	}
	w.mu.Lock()
	drained := slices.Clone(w.over.Drained)
	hasVRRP := w.haveRaw && w.raw.Node.VRRP != nil
	w.mu.Unlock()
	in := next.Inputs
	p := PlanInputs{Generation: next.Generation, HaveConfig: next.HaveConfig, VRRP: hasVRRP, Master: in.Master, Instances: in.Instances,
		Health: make([]BackendHealth, 0, len(in.Health)), Drained: drained, States: in.States,
		Draining: make([]DrainDeadline, 0, len(in.Draining)), Held: next.Addresses,
		AllowMassDelete: in.AllowMassDelete, Now: in.Now}
	for k, h := range in.Health {
		p.Health = append(p.Health, BackendHealth{Key: k, Healthy: h})
	}
	slices.SortFunc(p.Health, func(a, b BackendHealth) int {
		if c := strings.Compare(a.Key.Service, b.Key.Service); c != 0 {
			return c
		}
		return a.Key.Backend.Compare(b.Key.Backend)
	})
	for k, t := range in.Draining {
		p.Draining = append(p.Draining, DrainDeadline{Key: k, Deadline: t})
	}
	slices.SortFunc(p.Draining, func(a, b DrainDeadline) int { return a.Deadline.Compare(b.Deadline) })
	return p, nil
}

// instanceRoles says which VRRP instances a node is master of, e.g.
// "master of web, backup of db".
func instanceRoles(def bool, instances map[string]bool) string {
	var master, backup []string
	for name, m := range instances {
		if m {
			master = append(master, name)
		} else {
			backup = append(backup, name)
		}
	}
	slices.Sort(master)
	slices.Sort(backup)
	var parts []string
	if len(master) > 0 {
		parts = append(parts, "master of "+strings.Join(master, ", "))
	}
	if len(backup) > 0 {
		parts = append(parts, "backup of "+strings.Join(backup, ", "))
	}
	if def {
		parts = append(parts, "master of the rest")
	}
	return strings.Join(parts, "; ")
}
