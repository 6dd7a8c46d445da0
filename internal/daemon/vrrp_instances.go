package daemon

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/seesaw-lb/seesaw/vrrp"
)

// instanceView is what status, metrics and failover read of one running
// virtual router: its node, its settings and its latest event.
type instanceView struct {
	name  string
	node  *vrrp.Node
	cfg   vrrp.Config
	event vrrp.Event
}

// publishRouters makes w.instances the running routers, keeping the
// latest event of each node that still runs.
func (w *wiring) publishRouters(routers map[string]*router) {
	w.mu.Lock()
	defer w.mu.Unlock()
	next := make(map[string]*instanceView, len(routers))
	for name, r := range routers {
		v := &instanceView{name: name, node: r.node, cfg: r.cfg}
		if old, ok := w.instances[name]; ok && old.node == r.node {
			v.event = old.event
		}
		next[name] = v
	}
	w.instances = next
}

// instanceViews returns copies of the running virtual routers, in
// instance order of the config in force (name order for the rest).
func (w *wiring) instanceViews() []instanceView {
	w.mu.Lock()
	defer w.mu.Unlock()
	order := map[string]int{}
	for i, v := range w.raw.Node.Instances() {
		order[v.Name] = i
	}
	out := make([]instanceView, 0, len(w.instances))
	for _, v := range w.instances {
		out = append(out, *v)
	}
	slices.SortFunc(out, func(a, b instanceView) int {
		ia, oka := order[a.name]
		ib, okb := order[b.name]
		switch {
		case oka && okb && ia != ib:
			return ia - ib
		case oka != okb:
			if oka {
				return -1
			}
			return 1
		}
		return strings.Compare(a.name, b.name)
	})
	return out
}

// failover asks the VRRP master of instance to step down; without an
// instance, every instance this node is master of steps down.
func (w *wiring) failover(instance string) error {
	views := w.instanceViews()
	if len(views) == 0 {
		return errors.New("failover: no vrrp section: this node is standalone")
	}
	if instance != "" {
		for _, v := range views {
			if v.name == instance {
				if err := v.node.StepDown(); err != nil {
					return fmt.Errorf("failover of instance %s: %w", instance, err)
				}
				return nil
			}
		}
		names := make([]string, len(views))
		for i, v := range views {
			names[i] = v.name
		}
		return fmt.Errorf("failover: no VRRP instance named %q (this node runs %s)", instance, strings.Join(names, ", "))
	}
	var errs []error
	stepped := 0
	for _, v := range views {
		if v.node.State() != vrrp.Master {
			continue
		}
		if err := v.node.StepDown(); err != nil && !errors.Is(err, vrrp.ErrNotMaster) {
			errs = append(errs, fmt.Errorf("instance %s: %w", v.name, err))
			continue
		}
		stepped++
	}
	if stepped == 0 && len(errs) == 0 {
		if len(views) == 1 {
			return views[0].node.StepDown() // says it is not master
		}
		return fmt.Errorf("failover: this node is master of none of its %d VRRP instances: %w", len(views), vrrp.ErrNotMaster)
	}
	if len(errs) > 0 {
		return fmt.Errorf("failover: %w", errors.Join(errs...))
	}
	return nil
}

// syncGroupFollow makes the other instances of r's sync group follow the
// change ev of r's node, as keepalived's vrrp_sync_group does: when r
// leaves Master (step-down, preemption, fault, stop), the members still
// Master step down too, so the peer takes the whole group; when r becomes
// Master, the members in Backup whose master has gone quiet (no advert for
// one and a half of its intervals) take over at once instead of waiting
// out their Master_Down_Interval (vrrp.Node.TakeOver). A member whose
// master still advertises is left alone: two masters of one virtual router
// would fight, and the group settles by the leave rule on the peer's side.
// A member that stops with the daemon or leaves the config (shutdown)
// moves nobody.
func (w *wiring) syncGroupFollow(r *router, ev vrrp.Event) {
	w.mu.Lock()
	g, ok := w.raw.Node.SyncGroupOf(r.name)
	members := map[string]*vrrp.Node{}
	for name, v := range w.instances {
		if name != r.name && slices.Contains(g.Instances, name) {
			members[name] = v.node
		}
	}
	w.mu.Unlock()
	if !ok || r.detached.Load() || ev.Reason == vrrp.ReasonShutdown {
		return
	}
	left := ev.Prev == vrrp.Master && ev.State != vrrp.Master
	joined := ev.State == vrrp.Master && ev.Prev != vrrp.Master && ev.Reason != vrrp.ReasonSyncGroup
	for name, node := range members {
		switch {
		case left && node.State() == vrrp.Master:
			w.log.Info("sync group: stepping down with its member", "group", g.Name, "instance", name, "member", r.name, "reason", string(ev.Reason))
			if err := node.StepDown(); err != nil && !errors.Is(err, vrrp.ErrNotMaster) {
				w.log.Error("sync group: step down", "group", g.Name, "instance", name, "error", err.Error())
			}
		case joined && node.State() == vrrp.Backup:
			switch err := node.TakeOver(); {
			case err == nil:
				w.log.Info("sync group: took over with its member", "group", g.Name, "instance", name, "member", r.name)
			case errors.Is(err, vrrp.ErrMasterAdvertising):
				w.log.Info("sync group: member stays backup while its master advertises", "group", g.Name, "instance", name, "member", r.name)
			case !errors.Is(err, vrrp.ErrNotBackup):
				w.log.Error("sync group: take over", "group", g.Name, "instance", name, "error", err.Error())
			}
		}
	}
}
