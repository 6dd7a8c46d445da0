package vrrp

import (
	"slices"
	"time"
)

// Reconfigure replaces the parameters of a running machine of the same
// VRID and keeps its state: a configuration change is never a reason to
// change mastership by itself.
//
//   - Master: a change of priority, interval or addresses is announced at
//     once (an advert now, the advert timer restarted on the new
//     interval), so a backup that now outranks it preempts on its own
//     terms and one that no longer does stays quiet.
//   - Backup: the Master_Down_Timer keeps running. Priority 255 makes the
//     router the address owner, which takes over at once. Turning preempt
//     off or changing its delay ends a running preempt delay; a pending
//     preemption (Master_Down_Timer running against a lower-priority
//     master) then accepts that master's next advert instead.
//   - Initialize: the parameters are stored for the next Start.
func (m *Machine) Reconfigure(p Params, now time.Time) Actions {
	old := m.p
	m.p = p
	if p.Preempt != old.Preempt || p.PreemptDelay != old.PreemptDelay {
		m.preemptAt = time.Time{}
		if !p.Preempt && m.downReason == ReasonPreempt {
			m.downReason = ReasonMasterDown
		}
	}
	switch m.state {
	case Master:
		if p.Priority == old.Priority && p.Interval == old.Interval && slices.Equal(p.Addrs, old.Addrs) {
			return Actions{}
		}
		m.masterAdvInt = p.Interval
		m.adverAt = now.Add(m.advertInterval())
		return Actions{Send: true, SendPriority: m.Priority()}
	case Backup:
		if m.Priority() == 255 {
			return m.becomeMaster(now, ReasonOwner)
		}
	}
	return Actions{}
}

// StartHeld handles the Startup event of a router whose VIPs this node
// already holds (a standalone node that joins a virtual router): it is
// Master at once and advertises, so the VIPs never leave; a better master
// on the link answers with its own advert and the router steps down, as a
// Master that hears a better one does.
func (m *Machine) StartHeld(now time.Time) Actions {
	if m.state != Initialize {
		return Actions{}
	}
	return m.becomeMaster(now, ReasonHeld)
}
