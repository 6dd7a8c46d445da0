package vrrp

import (
	"net/netip"
	"time"
)

// Receive handles a valid ADVERTISEMENT from src (section 6.4.2 in Backup,
// 6.4.3 in Master). The caller has already applied the section 7.1 checks.
func (m *Machine) Receive(now time.Time, src netip.Addr, a Advert) Actions {
	switch m.state {
	case Backup:
		m.receiveBackup(now, src, a)
	case Master:
		return m.receiveMaster(now, src, a)
	}
	return Actions{}
}

func (m *Machine) receiveBackup(now time.Time, src netip.Addr, a Advert) {
	if a.Priority == 0 {
		m.downAt = now.Add(m.SkewTime())
		m.downReason = ReasonPeerShutdown
		return
	}
	if !m.preempts(now, a.Priority) || a.Priority >= m.Priority() {
		if a.Priority >= m.Priority() {
			m.preemptAt = time.Time{}
		}
		m.masterAdvInt = a.Interval
		m.downAt = now.Add(m.MasterDownInterval())
		m.downReason = ReasonMasterDown
		m.master = src
		return
	}
	// Otherwise discard: we preempt when Master_Down_Timer fires, while the
	// lower-priority master may still hold the addresses.
	m.downReason = ReasonPreempt
}

// preempts reports whether Preempt_Mode is in force against an advert of
// the given priority: a step-down suspends it; the owner always preempts;
// a preempt delay defers it from the first lower-priority advert seen.
func (m *Machine) preempts(now time.Time, adv uint8) bool {
	if m.steppedDown {
		return false
	}
	if m.Priority() == 255 {
		return true
	}
	if !m.p.Preempt {
		return false
	}
	if m.p.PreemptDelay <= 0 || adv >= m.Priority() {
		return true
	}
	if m.preemptAt.IsZero() {
		m.preemptAt = now.Add(m.p.PreemptDelay)
	}
	return !now.Before(m.preemptAt)
}

func (m *Machine) receiveMaster(now time.Time, src netip.Addr, a Advert) Actions {
	if a.Priority == 0 {
		m.adverAt = now.Add(m.advertInterval())
		return Actions{Send: true, SendPriority: m.Priority()}
	}
	local := m.Priority()
	if a.Priority > local || (a.Priority == local && src.Compare(m.p.Primary) > 0) {
		m.adverAt = time.Time{}
		m.becomeBackup(now, a.Interval)
		m.master = src
		// The handoff advert: priority 0 once the caller has released
		// the VIPs (the node sends it after its release hook), so a new
		// master that waits for the old one to let go can take them at
		// once. The new master answers it with an advert (6.4.3), which
		// keeps any other backup from acting on it.
		return Actions{Send: true, SendPriority: 0, Changed: true, State: Backup, Reason: ReasonPreempted}
	}
	return Actions{}
}
