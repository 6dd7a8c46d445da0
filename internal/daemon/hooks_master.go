package daemon

import (
	"time"

	"github.com/seesaw-lb/seesaw/internal/hooks"
)

// maxMasterHold bounds how long a "master" event waits for the round that
// adds the VIPs; a loop that cannot run one still gets its hook run.
const maxMasterHold = 5 * time.Second

// heldMaster is a "master" event waiting for the loop: like keepalived's
// notify_master, the hook runs once the VIPs are on the interface, that is
// after the first reconcile round as master (which adds them first).
type heldMaster struct {
	ev    hooks.Event
	timer *time.Timer
}

// holdMasterLocked holds instance's ev until a round as master, the
// instance's next VRRP event, shutdown or maxMasterHold, whichever comes
// first; f.mu is held.
func (f *hookFeed) holdMasterLocked(instance string, ev hooks.Event) {
	h := &heldMaster{ev: ev}
	h.timer = time.AfterFunc(maxMasterHold, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.masters[instance] == h {
			f.flushMasterLocked(instance)
		}
	})
	f.masters[instance] = h
}

// flushMasterLocked runs instance's held master event's hooks now; f.mu
// is held.
func (f *hookFeed) flushMasterLocked(instance string) {
	h := f.masters[instance]
	if h == nil {
		return
	}
	h.timer.Stop()
	delete(f.masters, instance)
	f.runner.Notify(h.ev)
}

// flushMastersLocked runs every held master event's hooks now; f.mu is held.
func (f *hookFeed) flushMastersLocked() {
	for instance := range f.masters {
		f.flushMasterLocked(instance)
	}
}
