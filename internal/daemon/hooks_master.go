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

// holdMasterLocked holds ev until a round as master, the next VRRP event,
// shutdown or maxMasterHold, whichever comes first; f.mu is held.
func (f *hookFeed) holdMasterLocked(ev hooks.Event) {
	h := &heldMaster{ev: ev}
	h.timer = time.AfterFunc(maxMasterHold, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.master == h {
			f.flushMasterLocked()
		}
	})
	f.master = h
}

// flushMasterLocked runs the held master event's hooks now; f.mu is held.
func (f *hookFeed) flushMasterLocked() {
	if f.master == nil {
		return
	}
	f.master.timer.Stop()
	f.runner.Notify(f.master.ev)
	f.master = nil
}
