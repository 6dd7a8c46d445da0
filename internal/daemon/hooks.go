package daemon

import (
	"cmp"
	"context"
	"net/netip"
	"sync"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/internal/hooks"
	"github.com/seesaw-lb/seesaw/reconcile"
	"github.com/seesaw-lb/seesaw/vrrp"
)

// defaultInstance names node.vrrp's single virtual router in hook events
// (SEESAW_INSTANCE).
const defaultInstance = desired.DefaultInstance

// hookFeed turns the daemon's VRRP events and the loop's watermark
// positions into hook events (node.notify). It has a lock of its own,
// taken only briefly and held only around calls to the runner's Notify,
// which never blocks: the loop's round callback uses it.
type hookFeed struct {
	runner *hooks.Runner

	mu       sync.Mutex
	node     string
	vrrp     bool              // the node has a vrrp section
	vrrpPrev map[string]string // the last state reported per VRRP instance (none: "initialize")
	services map[string]bool   // each service's up state in the last round that reported it
	// cfg is the config in force: its services (sorted by name) give an
	// event its VIP and VRRP instance.
	cfg desired.Config
	// last is the last round's status list: a round with the same names
	// in the same order looks only at the states that changed (hooks_rounds.go).
	last []reconcile.ServiceStatus
	// strays is set when a round recorded names the config in force lacks.
	strays bool
	// masters are the "master" events held until the loop holds the VIPs,
	// by instance (hooks_master.go).
	masters map[string]*heldMaster
}

func newHookFeed(r *hooks.Runner) *hookFeed {
	return &hookFeed{runner: r, vrrpPrev: map[string]string{}, masters: map[string]*heldMaster{},
		services: map[string]bool{}}
}

// configure puts cfg's hooks in force (live, at every valid load) and
// records what events need from it. A service no longer configured is
// forgotten: added back, it starts afresh (up).
func (f *hookFeed) configure(cfg desired.Config) {
	if f == nil {
		return
	}
	hs := make([]hooks.Hook, len(cfg.Node.Notify))
	for i, h := range cfg.Node.Notify {
		on := make([]string, len(h.On))
		for j, e := range h.On {
			on[j] = string(e)
		}
		hs[i] = hooks.Hook{Name: h.Name, On: on, Run: h.Run, Services: h.Services, Instances: h.Instances,
			Timeout: h.Timeout}
	}
	f.runner.Update(hs)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.setConfigLocked(cfg)
}

// vrrpEvent reports a state change of VRRP instance whose VIPs are vips.
func (f *hookFeed) vrrpEvent(instance string, ev vrrp.Event, vips []netip.Addr) {
	if f == nil {
		return
	}
	state := vrrpHookState(ev)
	f.mu.Lock()
	defer f.mu.Unlock()
	prev, ok := f.vrrpPrev[instance]
	if !ok {
		prev = vrrp.Initialize.String()
	}
	f.vrrpPrev[instance] = state
	if state == prev {
		return
	}
	f.flushMasterLocked(instance) // a held master event goes first
	hev := hooks.Event{Kind: state, Node: f.node, Instance: instance, State: state, PreviousState: prev,
		Reason: string(ev.Reason), VIPs: vips, Time: ev.At}
	if state == string(desired.HookMaster) && ev.Reason != vrrp.ReasonHeld {
		f.holdMasterLocked(instance, hev)
		return
	}
	f.runner.Notify(hev)
}

// vrrpHookState names the state a VRRP event enters as hooks see it:
// Initialize is "fault" after a link loss and "stop" otherwise (shutdown,
// leaving or replacing the router), as keepalived's notify_fault and
// notify_stop.
func vrrpHookState(ev vrrp.Event) string {
	switch {
	case ev.State == vrrp.Master:
		return string(desired.HookMaster)
	case ev.State == vrrp.Backup:
		return string(desired.HookBackup)
	case ev.Reason == vrrp.ReasonLinkDown:
		return string(desired.HookFault)
	}
	return string(desired.HookStop)
}

// round reports the services whose watermark position differs from the
// last round that reported them; a service seen for the first time counts
// as having been up, so a start or reload reports the services that are
// down, not every service. A round that failed before planning reports no
// services and changes nothing.
func (f *hookFeed) round(st reconcile.Status) {
	if f == nil {
		return
	}
	if len(st.Services) == 0 {
		if st.Master {
			f.mu.Lock()
			f.flushMastersLocked()
			f.mu.Unlock()
		}
		return
	}
	var evs []hooks.Event
	f.mu.Lock()
	if st.Master {
		f.flushMastersLocked() // this round held the VIPs
	}
	for _, s := range f.changedLocked(st.Services) {
		ev := hooks.Event{Kind: string(desired.HookServiceDown), Node: f.node, Service: s.Name, State: "down", PreviousState: "up",
			Time: st.LastRound}
		if s.Up {
			ev.Kind, ev.State, ev.PreviousState = string(desired.HookServiceUp), "up", "down"
		}
		svc := f.serviceLocked(s.Name)
		if f.vrrp {
			inst := ""
			if svc != nil {
				inst = f.cfg.Node.InstanceFor(svc.VRRPInstance)
			}
			ev.Instance = cmp.Or(inst, defaultInstance)
		}
		if svc != nil && svc.VIP.IsValid() {
			ev.VIPs = []netip.Addr{svc.VIP}
		}
		evs = append(evs, ev)
	}
	f.mu.Unlock()
	for _, ev := range evs {
		f.runner.Notify(ev)
	}
}

// hookVRRP reports ev of r's node to the hooks, with the VIPs of the
// router's settings in force (read under w.mu: a reload changes them).
func (w *wiring) hookVRRP(r *router, ev vrrp.Event) {
	if w.hooks == nil {
		return
	}
	vips := r.cfg.VIPs // a replaced router: its settings no longer change
	w.mu.Lock()
	if in, ok := w.instances[r.name]; ok && in.node == r.node {
		vips = in.cfg.VIPs
	}
	w.mu.Unlock()
	w.hooks.vrrpEvent(cmp.Or(r.name, defaultInstance), ev, vips)
}

// closeHooks ends the hooks at shutdown, after the VRRP node has stopped
// (its "stop" event is queued by then): queued events other than "stop"
// are dropped, and the exit waits for the runs under way and the stop
// runs, each bounded by its hook's timeout.
func (w *wiring) closeHooks() {
	if w.hooks != nil {
		w.hooks.mu.Lock()
		w.hooks.flushMastersLocked()
		w.hooks.mu.Unlock()
		w.hooks.runner.Close(context.Background())
	}
}

// A nil *hookFeed (a wiring built by a test without hooks) reports nothing.
