package vrrp

import (
	"errors"
	"net/netip"
	"testing"
	"time"
)

// TestTakeOver: a Backup takes over for its sync group only once its
// master has been quiet for one and a half intervals (or said priority
// 0); never while the master advertises, and never from Master.
func TestTakeOver(t *testing.T) {
	p := Params{VRID: 1, Priority: 100, Interval: 10, Preempt: true, Primary: netip.MustParseAddr("192.0.2.11")}
	m := NewMachine(p)
	m.Start(t0)
	if m.State() != Backup {
		t.Fatalf("after start: %v", m.State())
	}
	master := netip.MustParseAddr("192.0.2.12")
	m.Receive(t0.Add(100*time.Millisecond), master, Advert{VRID: 1, Priority: 200, Interval: 10})
	if _, err := m.TakeOver(t0.Add(200 * time.Millisecond)); !errors.Is(err, ErrMasterAdvertising) {
		t.Fatalf("take over 100ms after an advert: %v; want ErrMasterAdvertising", err)
	}
	a, err := m.TakeOver(t0.Add(260 * time.Millisecond))
	if err != nil || m.State() != Master || !a.Send || a.SendPriority != 100 || a.Reason != ReasonSyncGroup {
		t.Fatalf("take over 160ms after the last advert: %v, state %v, actions %+v", err, m.State(), a)
	}
	if _, err := m.TakeOver(t0.Add(300 * time.Millisecond)); !errors.Is(err, ErrNotBackup) {
		t.Fatalf("take over as Master: %v; want ErrNotBackup", err)
	}

	m = NewMachine(p)
	m.Start(t0)
	m.Receive(t0.Add(100*time.Millisecond), master, Advert{VRID: 1, Priority: 200, Interval: 10})
	m.Receive(t0.Add(150*time.Millisecond), master, Advert{VRID: 1, Priority: 0, Interval: 10})
	if _, err := m.TakeOver(t0.Add(160 * time.Millisecond)); err != nil || m.State() != Master {
		t.Fatalf("take over after a priority-0 advert: %v, state %v", err, m.State())
	}
}
