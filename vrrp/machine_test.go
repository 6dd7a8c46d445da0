package vrrp

import (
	"net/netip"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

const never = time.Duration(-1)

// step is one event fed to the machine at t0+at and what must follow.
type step struct {
	at   time.Duration
	do   string // start, tick, recv, shutdown, stepdown, penalty
	prio uint8  // recv: advert priority
	from string // recv: sender address (default 192.0.2.12)
	ivl  uint16 // recv: advert interval, cs (default 100)
	n    int    // penalty
	// Expectations.
	send     int // -1: no advert; otherwise the advertised priority
	state    State
	reason   Reason // expected transition reason, "" for none
	deadline time.Duration
}

func runSteps(t *testing.T, p Params, steps []step) {
	t.Helper()
	m := NewMachine(p)
	for i, s := range steps {
		now := t0.Add(s.at)
		var a Actions
		switch s.do {
		case "start":
			a = m.Start(now)
		case "tick":
			a = m.Tick(now)
		case "shutdown":
			a = m.Shutdown(now)
		case "stepdown":
			a, _ = m.StepDown(now)
		case "penalty":
			m.SetPenalty(s.n)
		case "recv":
			from, ivl := s.from, s.ivl
			if from == "" {
				from = "192.0.2.12"
			}
			if ivl == 0 {
				ivl = 100
			}
			a = m.Receive(now, netip.MustParseAddr(from), Advert{VRID: p.VRID, Priority: s.prio, Interval: ivl})
		default:
			t.Fatalf("step %d: unknown op %q", i, s.do)
		}
		if got := sendOf(a); got != s.send {
			t.Errorf("step %d (%s at %v): sent %d, want %d", i, s.do, s.at, got, s.send)
		}
		if m.State() != s.state {
			t.Errorf("step %d (%s at %v): state %v, want %v", i, s.do, s.at, m.State(), s.state)
		}
		if got := transitionReason(a); got != s.reason {
			t.Errorf("step %d (%s at %v): reason %q, want %q", i, s.do, s.at, got, s.reason)
		}
		if got := offset(m.Deadline()); got != s.deadline {
			t.Errorf("step %d (%s at %v): deadline %v, want %v", i, s.do, s.at, got, s.deadline)
		}
	}
}

func sendOf(a Actions) int {
	if !a.Send {
		return -1
	}
	return int(a.SendPriority)
}

func transitionReason(a Actions) Reason {
	if !a.Changed {
		return ""
	}
	return a.Reason
}

func offset(t time.Time) time.Duration {
	if t.IsZero() {
		return never
	}
	return t.Sub(t0)
}

// params: 1 s interval (100 cs), priority 100, preempt on.
func params() Params {
	return Params{VRID: 60, Priority: 100, Interval: 100, Preempt: true, Primary: netip.MustParseAddr("192.0.2.11")}
}

// For priority 100 and a 1 s interval: Skew_Time = 156/256 s = 609.375 ms.
const (
	skew100 = 609375 * time.Microsecond
	mdi100  = 3*time.Second + skew100
)

func TestStartupAndMasterDown(t *testing.T) {
	runSteps(t, params(), []step{
		{at: 0, do: "start", send: -1, state: Backup, reason: ReasonStartup, deadline: mdi100},
		{at: time.Second, do: "tick", send: -1, state: Backup, deadline: mdi100},
		{at: mdi100, do: "tick", send: 100, state: Master, reason: ReasonMasterDown, deadline: mdi100 + time.Second},
		{at: mdi100 + time.Second, do: "tick", send: 100, state: Master, deadline: mdi100 + 2*time.Second},
		// A late timer keeps the grid...
		{at: mdi100 + 2*time.Second + 3*time.Millisecond, do: "tick", send: 100, state: Master, deadline: mdi100 + 3*time.Second},
		// ...unless it stalled for more than an interval.
		{at: mdi100 + 5*time.Second, do: "tick", send: 100, state: Master, deadline: mdi100 + 6*time.Second},
	})
}

func TestOwnerStartsMaster(t *testing.T) {
	p := params()
	p.Priority = 255
	runSteps(t, p, []step{
		{at: 0, do: "start", send: 255, state: Master, reason: ReasonOwner, deadline: time.Second},
		{at: time.Second, do: "tick", send: 255, state: Master, deadline: 2 * time.Second},
		// A lower-priority advert is discarded by a Master.
		{at: 1500 * time.Millisecond, do: "recv", prio: 254, send: -1, state: Master, deadline: 2 * time.Second},
	})
}

func TestBackupAcceptsHigherAndLearnsInterval(t *testing.T) {
	// The master advertises every 50 cs; the learned Skew_Time is
	// 156*0.5/256 s and Master_Down_Interval 1.5 s plus that.
	skew := 156 * 500 * time.Millisecond / 256
	runSteps(t, params(), []step{
		{at: 0, do: "start", send: -1, state: Backup, reason: ReasonStartup, deadline: mdi100},
		{at: time.Second, do: "recv", prio: 200, ivl: 50, send: -1, state: Backup, deadline: time.Second + 1500*time.Millisecond + skew},
		{at: 2 * time.Second, do: "recv", prio: 100, from: "192.0.2.1", ivl: 50, send: -1, state: Backup, deadline: 2*time.Second + 1500*time.Millisecond + skew},
		{at: 3500*time.Millisecond + skew, do: "tick", send: 100, state: Master, reason: ReasonMasterDown, deadline: 4500*time.Millisecond + skew},
	})
}

func TestBackupPreemptDiscardsLower(t *testing.T) {
	runSteps(t, params(), []step{
		{at: 0, do: "start", send: -1, state: Backup, reason: ReasonStartup, deadline: mdi100},
		{at: time.Second, do: "recv", prio: 50, send: -1, state: Backup, deadline: mdi100},
		// It takes over from a master that was still advertising: a preempt.
		{at: mdi100, do: "tick", send: 100, state: Master, reason: ReasonPreempt, deadline: mdi100 + time.Second},
	})
}

func TestBackupNoPreemptAcceptsLower(t *testing.T) {
	p := params()
	p.Preempt = false
	runSteps(t, p, []step{
		{at: 0, do: "start", send: -1, state: Backup, reason: ReasonStartup, deadline: mdi100},
		{at: time.Second, do: "recv", prio: 50, send: -1, state: Backup, deadline: time.Second + mdi100},
		{at: mdi100, do: "tick", send: -1, state: Backup, deadline: time.Second + mdi100},
	})
}

func TestOwnerPreemptsEvenWithPreemptOff(t *testing.T) {
	p := params()
	p.Priority, p.Preempt = 255, false
	m := NewMachine(p)
	m.becomeBackup(t0, 100) // an owner lands in Backup only via a step-down or restart race
	m.receiveBackup(t0.Add(time.Second), netip.MustParseAddr("192.0.2.12"), Advert{Priority: 100, Interval: 100})
	if want := t0.Add(3*time.Second + time.Second/256); !m.Deadline().Equal(want) {
		t.Fatalf("owner accepted a lower-priority advert: deadline %v, want %v", offset(m.Deadline()), offset(want))
	}
}

func TestPriorityZeroInBackupWaitsSkewOnly(t *testing.T) {
	runSteps(t, params(), []step{
		{at: 0, do: "start", send: -1, state: Backup, reason: ReasonStartup, deadline: mdi100},
		{at: time.Second, do: "recv", prio: 200, send: -1, state: Backup, deadline: time.Second + mdi100},
		{at: 1200 * time.Millisecond, do: "recv", prio: 0, send: -1, state: Backup, deadline: 1200*time.Millisecond + skew100},
		{at: 1200*time.Millisecond + skew100, do: "tick", send: 100, state: Master, reason: ReasonPeerShutdown, deadline: 2200*time.Millisecond + skew100},
	})
}

func TestMasterYieldsToHigherPriority(t *testing.T) {
	p := params()
	p.Priority = 255 // start as Master directly
	runSteps(t, p, []step{
		{at: 0, do: "start", send: 255, state: Master, reason: ReasonOwner, deadline: time.Second},
		{at: 100 * time.Millisecond, do: "penalty", n: 155, send: -1, state: Master, deadline: time.Second},
		{at: 200 * time.Millisecond, do: "recv", prio: 99, send: -1, state: Master, deadline: time.Second},
		// 200 cs learned: MDI = 6 s + 156*2/256 s.
		{at: 300 * time.Millisecond, do: "recv", prio: 101, ivl: 200, send: 0, state: Backup, reason: ReasonPreempted, deadline: 300*time.Millisecond + 6*time.Second + 2*skew100},
	})
}

func TestMasterTieBreakOnPrimaryAddress(t *testing.T) {
	p := params()
	p.Priority = 255
	runSteps(t, p, []step{
		{at: 0, do: "start", send: 255, state: Master, reason: ReasonOwner, deadline: time.Second},
		{at: 100 * time.Millisecond, do: "recv", prio: 255, from: "192.0.2.10", send: -1, state: Master, deadline: time.Second},
		{at: 200 * time.Millisecond, do: "recv", prio: 255, from: "192.0.2.11", send: -1, state: Master, deadline: time.Second},
		{at: 300 * time.Millisecond, do: "recv", prio: 255, from: "192.0.2.12", send: 0, state: Backup, reason: ReasonPreempted, deadline: 300*time.Millisecond + 3*time.Second + time.Second/256},
	})
}

func TestMasterAnswersPriorityZero(t *testing.T) {
	p := params()
	p.Priority = 255
	runSteps(t, p, []step{
		{at: 0, do: "start", send: 255, state: Master, reason: ReasonOwner, deadline: time.Second},
		{at: 400 * time.Millisecond, do: "recv", prio: 0, send: 255, state: Master, deadline: 1400 * time.Millisecond},
	})
}

func TestShutdown(t *testing.T) {
	p := params()
	p.Priority = 255
	runSteps(t, p, []step{
		{at: 0, do: "start", send: 255, state: Master, reason: ReasonOwner, deadline: time.Second},
		{at: 500 * time.Millisecond, do: "shutdown", send: 0, state: Initialize, reason: ReasonShutdown, deadline: never},
		{at: 2 * time.Second, do: "tick", send: -1, state: Initialize, deadline: never},
		{at: 3 * time.Second, do: "shutdown", send: -1, state: Initialize, deadline: never},
	})
	runSteps(t, params(), []step{
		{at: 0, do: "start", send: -1, state: Backup, reason: ReasonStartup, deadline: mdi100},
		{at: time.Second, do: "shutdown", send: -1, state: Initialize, reason: ReasonShutdown, deadline: never},
		{at: 2 * time.Second, do: "start", send: -1, state: Backup, reason: ReasonStartup, deadline: 2*time.Second + mdi100},
	})
}

func TestPreemptDelay(t *testing.T) {
	p := params()
	p.PreemptDelay = 2 * time.Second
	runSteps(t, p, []step{
		{at: 0, do: "start", send: -1, state: Backup, reason: ReasonStartup, deadline: mdi100},
		// Lower-priority adverts are accepted until 2 s after the first one.
		{at: 1 * time.Second, do: "recv", prio: 50, send: -1, state: Backup, deadline: 1*time.Second + mdi100},
		{at: 2 * time.Second, do: "recv", prio: 50, send: -1, state: Backup, deadline: 2*time.Second + mdi100},
		{at: 3 * time.Second, do: "recv", prio: 50, send: -1, state: Backup, deadline: 2*time.Second + mdi100},
		{at: 4 * time.Second, do: "recv", prio: 50, send: -1, state: Backup, deadline: 2*time.Second + mdi100},
		{at: 2*time.Second + mdi100, do: "tick", send: 100, state: Master, reason: ReasonPreempt, deadline: 3*time.Second + mdi100},
	})
}

func TestPreemptDelayRestartsAfterHigherMaster(t *testing.T) {
	p := params()
	p.PreemptDelay = 2 * time.Second
	runSteps(t, p, []step{
		{at: 0, do: "start", send: -1, state: Backup, reason: ReasonStartup, deadline: mdi100},
		{at: 1 * time.Second, do: "recv", prio: 50, send: -1, state: Backup, deadline: 1*time.Second + mdi100},
		{at: 2 * time.Second, do: "recv", prio: 150, send: -1, state: Backup, deadline: 2*time.Second + mdi100},
		// The delay starts again from here.
		{at: 3 * time.Second, do: "recv", prio: 50, send: -1, state: Backup, deadline: 3*time.Second + mdi100},
		{at: 4 * time.Second, do: "recv", prio: 50, send: -1, state: Backup, deadline: 4*time.Second + mdi100},
		{at: 5 * time.Second, do: "recv", prio: 50, send: -1, state: Backup, deadline: 4*time.Second + mdi100},
	})
}

func TestStepDown(t *testing.T) {
	runSteps(t, params(), []step{
		{at: 0, do: "start", send: -1, state: Backup, reason: ReasonStartup, deadline: mdi100},
		{at: mdi100, do: "tick", send: 100, state: Master, reason: ReasonMasterDown, deadline: mdi100 + time.Second},
		{at: 4 * time.Second, do: "stepdown", send: 0, state: Backup, reason: ReasonStepDown, deadline: 4*time.Second + mdi100},
		// The peer (priority 50) takes over; we no longer preempt it.
		{at: 5 * time.Second, do: "recv", prio: 50, send: -1, state: Backup, deadline: 5*time.Second + mdi100},
		{at: 6 * time.Second, do: "recv", prio: 50, send: -1, state: Backup, deadline: 6*time.Second + mdi100},
		// It dies: we take over again and preempt as usual afterwards.
		{at: 6*time.Second + mdi100, do: "tick", send: 100, state: Master, reason: ReasonMasterDown, deadline: 7*time.Second + mdi100},
		{at: 7 * time.Second, do: "recv", prio: 50, send: -1, state: Master, deadline: 7*time.Second + mdi100},
	})
	m := NewMachine(params())
	if _, ok := m.StepDown(t0); ok {
		t.Fatal("StepDown in Initialize reported success")
	}
}

func TestPenalty(t *testing.T) {
	p := params()
	cases := []struct {
		base    uint8
		penalty int
		want    uint8
	}{
		{100, 0, 100}, {100, 30, 70}, {100, 99, 1}, {100, 500, 1}, {100, -5, 100},
		{255, 0, 255}, {255, 1, 254}, {255, 100, 155}, {254, 0, 254},
	}
	for _, c := range cases {
		p.Priority = c.base
		m := NewMachine(p)
		m.SetPenalty(c.penalty)
		if got := m.Priority(); got != c.want {
			t.Errorf("priority %d penalty %d: got %d, want %d", c.base, c.penalty, got, c.want)
		}
	}
	// A penalised master advertises the lowered priority and its backups
	// compute Skew_Time from it.
	p.Priority = 255
	runSteps(t, p, []step{
		{at: 0, do: "start", send: 255, state: Master, reason: ReasonOwner, deadline: time.Second},
		{at: 100 * time.Millisecond, do: "penalty", n: 155, send: -1, state: Master, deadline: time.Second},
		{at: time.Second, do: "tick", send: 100, state: Master, deadline: 2 * time.Second},
	})
	p.Priority = 200
	m := NewMachine(p)
	m.SetPenalty(100)
	m.Start(t0)
	if got := m.Deadline().Sub(t0); got != mdi100 {
		t.Fatalf("penalised Master_Down_Interval %v, want %v", got, mdi100)
	}
}
