package vrrp

import (
	"net/netip"
	"time"
)

// centisecond is the unit of the advertisement interval on the wire.
const centisecond = 10 * time.Millisecond

// Params configure a Machine.
type Params struct {
	VRID     uint8
	Priority uint8 // configured priority, 1..255
	// Interval is Advertisement_Interval in centiseconds.
	Interval     uint16
	Preempt      bool
	PreemptDelay time.Duration
	// Primary is the local primary address, used to break priority ties.
	Primary netip.Addr
	Addrs   []netip.Addr
}

// Actions is what the caller must do after feeding the Machine an event.
type Actions struct {
	// Send asks for one advert with SendPriority, now.
	Send         bool
	SendPriority uint8
	// Changed reports a transition to State for Reason.
	Changed bool
	State   State
	Reason  Reason
}

// Machine is the RFC 9568 section 6.4 state machine: events in, actions
// out. It does no I/O and reads no clock; every method takes the time.
// Deadline says when Tick must be called next.
type Machine struct {
	p            Params
	penalty      int
	state        State
	masterAdvInt uint16    // Master_Adver_Interval, centiseconds
	downAt       time.Time // Master_Down_Timer; zero when not armed
	downReason   Reason
	adverAt      time.Time // Adver_Timer; zero when not armed
	preemptAt    time.Time // end of the preempt delay; zero when not running
	steppedDown  bool      // preemption is suppressed after a manual step-down
	master       netip.Addr
}

// NewMachine returns a Machine in Initialize.
func NewMachine(p Params) *Machine {
	return &Machine{p: p, masterAdvInt: p.Interval}
}

// State returns the current state.
func (m *Machine) State() State { return m.state }

// MasterAddr returns the primary address of the master last accepted while
// in Backup, or the zero Addr.
func (m *Machine) MasterAddr() netip.Addr { return m.master }

// MasterAdverInterval returns the learned Master_Adver_Interval.
func (m *Machine) MasterAdverInterval() time.Duration {
	return time.Duration(m.masterAdvInt) * centisecond
}

// Priority returns the effective priority: the configured one lowered by the
// tracking penalty, never below 1, and 255 only for an unpenalised owner.
func (m *Machine) Priority() uint8 {
	if m.penalty <= 0 {
		return m.p.Priority
	}
	pr := int(m.p.Priority) - m.penalty
	return uint8(min(max(pr, 1), 254))
}

// SkewTime is ((256 - Priority) * Master_Adver_Interval) / 256.
func (m *Machine) SkewTime() time.Duration {
	return time.Duration(256-int(m.Priority())) * m.MasterAdverInterval() / 256
}

// MasterDownInterval is (3 * Master_Adver_Interval) + Skew_Time.
func (m *Machine) MasterDownInterval() time.Duration {
	return 3*m.MasterAdverInterval() + m.SkewTime()
}

func (m *Machine) advertInterval() time.Duration {
	return time.Duration(m.p.Interval) * centisecond
}

// Deadline returns when Tick must next be called, or the zero time.
func (m *Machine) Deadline() time.Time {
	switch m.state {
	case Backup:
		return m.downAt
	case Master:
		return m.adverAt
	}
	return time.Time{}
}

// Advert builds the advert this router sends with the given priority.
func (m *Machine) Advert(priority uint8) Advert {
	return Advert{VRID: m.p.VRID, Priority: priority, Interval: m.p.Interval, Addrs: m.p.Addrs}
}

// Start handles the Startup event in Initialize (section 6.4.1).
func (m *Machine) Start(now time.Time) Actions {
	if m.state != Initialize {
		return Actions{}
	}
	if m.Priority() == 255 {
		return m.becomeMaster(now, ReasonOwner)
	}
	m.becomeBackup(now, m.p.Interval)
	return Actions{Changed: true, State: Backup, Reason: ReasonStartup}
}

// Shutdown handles the Shutdown event: a Master sends priority 0 so that
// the backup takes over after Skew_Time.
func (m *Machine) Shutdown(now time.Time) Actions {
	was := m.state
	m.state, m.downAt, m.adverAt, m.preemptAt = Initialize, time.Time{}, time.Time{}, time.Time{}
	switch was {
	case Master:
		return Actions{Send: true, SendPriority: 0, Changed: true, State: Initialize, Reason: ReasonShutdown}
	case Backup:
		return Actions{Changed: true, State: Initialize, Reason: ReasonShutdown}
	}
	return Actions{}
}

// Fault handles the loss of the router's own link (keepalived's FAULT): the
// router goes to Initialize without an advert (the link cannot carry one),
// so a Master leaves mastership at once; Start brings it back when the link
// returns.
func (m *Machine) Fault(now time.Time) Actions {
	was := m.state
	m.state, m.downAt, m.adverAt, m.preemptAt = Initialize, time.Time{}, time.Time{}, time.Time{}
	if was == Initialize {
		return Actions{}
	}
	return Actions{Changed: true, State: Initialize, Reason: ReasonLinkDown}
}

// StepDown gives up mastership: it sends priority 0 like a shutdown, but
// stays in Backup without preempting until it next becomes Master because
// the new master went away. It reports false when not Master.
func (m *Machine) StepDown(now time.Time) (Actions, bool) {
	if m.state != Master {
		return Actions{}, false
	}
	m.adverAt = time.Time{}
	m.steppedDown = true
	m.becomeBackup(now, m.p.Interval)
	return Actions{Send: true, SendPriority: 0, Changed: true, State: Backup, Reason: ReasonStepDown}, true
}

// SetPenalty sets the tracking penalty subtracted from the priority. It
// takes effect in the next advert and the next timer computation.
func (m *Machine) SetPenalty(n int) { m.penalty = max(n, 0) }

// Tick fires the timers that are due at now.
func (m *Machine) Tick(now time.Time) Actions {
	switch m.state {
	case Backup:
		if !m.downAt.IsZero() && !now.Before(m.downAt) {
			return m.becomeMaster(now, m.downReason)
		}
	case Master:
		if !m.adverAt.IsZero() && !now.Before(m.adverAt) {
			m.adverAt = nextTick(m.adverAt, now, m.advertInterval())
			return Actions{Send: true, SendPriority: m.Priority()}
		}
	}
	return Actions{}
}

// nextTick keeps adverts on a fixed grid so timer lateness does not
// accumulate, but restarts the grid after a stall longer than one interval.
func nextTick(due, now time.Time, d time.Duration) time.Time {
	next := due.Add(d)
	if next.After(now) {
		return next
	}
	return now.Add(d)
}

func (m *Machine) becomeMaster(now time.Time, why Reason) Actions {
	m.state = Master
	m.downAt, m.preemptAt = time.Time{}, time.Time{}
	m.steppedDown = false
	m.master = m.p.Primary
	m.adverAt = now.Add(m.advertInterval())
	return Actions{Send: true, SendPriority: m.Priority(), Changed: true, State: Master, Reason: why}
}

func (m *Machine) becomeBackup(now time.Time, masterInterval uint16) {
	m.state = Backup
	m.masterAdvInt = masterInterval
	m.downAt = now.Add(m.MasterDownInterval())
	m.downReason = ReasonMasterDown
	m.preemptAt = time.Time{}
}
