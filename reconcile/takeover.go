package reconcile

import (
	"context"
	"fmt"
)

// A takeover adds the VIPs first. When a round starts as master and the
// addresses were last synced as backup, the configured VIPs are added
// before the round reads or programs IPVS: a backup keeps IPVS programmed
// (hot standby), so the VIPs serve at once, and a full table read of a
// large config (seconds on a slow host) must not hold them back. SetMaster
// also interrupts the round in flight, for the same reason.

// takeoverVIPManager is a VIPManager with a fast path for a takeover
// (VIPs.Takeover): the addresses are added without the listing Sync does
// first, and the round's Sync that follows does the rest.
type takeoverVIPManager interface {
	Takeover(ctx context.Context, target []Address, policy AddressPolicy) ([]Address, error)
}

// takeoverDue says whether the loop has become master of an instance
// since the addresses were last synced: the next round starts with
// takeoverVIPs, and nothing else (a resync step) may go first.
func (l *Loop) takeoverDue() bool {
	return l.o.VIPs != nil && l.vipsSynced && !l.vipsFor.covers(l.mastership(), l.cfg)
}

// takeoverVIPs adds the configured VIPs when the loop has become master
// of an instance since the addresses were last synced; the round then syncs
// them in full. A first round (IPVS not yet programmed) adds them after
// IPVS, as any round does.
func (l *Loop) takeoverVIPs(ctx context.Context, st *Status) error {
	if !l.takeoverDue() {
		return nil
	}
	now := l.mastership()
	target, pol := heldAddresses(l.cfg, now), l.policy.of(l.cfg)
	var held []Address
	var err error
	if tk, ok := l.o.VIPs.(takeoverVIPManager); ok {
		held, err = tk.Takeover(ctx, target, pol)
	} else {
		held, err = l.o.VIPs.Sync(ctx, target, pol)
	}
	st.Addresses = held
	if err != nil {
		return fmt.Errorf("VIP addresses on takeover: %w", err)
	}
	l.vipsFor = now
	l.o.Log.Info("took over: VIPs added before the round", "vips", len(held))
	return nil
}
