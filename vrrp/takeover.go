package vrrp

import (
	"errors"
	"fmt"
	"time"
)

// ErrNotBackup is returned by TakeOver on a node that is not Backup.
var ErrNotBackup = errors.New("not backup")

// ErrMasterAdvertising is returned by TakeOver while the master still
// advertises: taking over would make two masters fight.
var ErrMasterAdvertising = errors.New("the master still advertises")

// ReasonSyncGroup is the reason of a transition a sync group made: the
// instance followed another instance of its group to Master.
const ReasonSyncGroup Reason = "sync-group"

// TakeOver makes a Backup Master now, as when its Master_Down_Timer fires
// (reason ReasonSyncGroup), provided its master has gone quiet: no advert
// for one and a half Master_Adver_Interval (or a priority-0 advert). A
// daemon calls it when another instance of the node's sync group became
// Master. It fails with ErrNotBackup in any other state and with
// ErrMasterAdvertising while the master still advertises.
func (m *Machine) TakeOver(now time.Time) (Actions, error) {
	if m.state != Backup || m.downAt.IsZero() {
		return Actions{}, ErrNotBackup
	}
	heard := m.downAt.Add(-m.MasterDownInterval())
	if now.Sub(heard) < m.MasterAdverInterval()*3/2 {
		return Actions{}, ErrMasterAdvertising
	}
	return m.becomeMaster(now, ReasonSyncGroup), nil
}

// TakeOver asks a Backup whose master has gone quiet to become Master now
// (a sync group follows its member to Master; see Machine.TakeOver). It
// waits for Run to handle the request.
func (n *Node) TakeOver() error {
	var refused error
	err := n.do(func(m *Machine) Actions {
		var a Actions
		a, refused = m.TakeOver(n.clock.Now())
		return a
	})
	if err == nil && refused != nil {
		err = fmt.Errorf("take over VRID %d on %s: %w", n.cfg.VRID, n.cfg.Interface, refused)
	}
	return err
}
