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

// takeoverVIPs adds the configured VIPs when the loop has become master
// since the addresses were last synced as backup; the round then syncs
// them in full. A first round (IPVS not yet programmed) adds them after
// IPVS, as any round does.
func (l *Loop) takeoverVIPs(ctx context.Context, st *Status) error {
	if l.o.VIPs == nil || !l.master || !l.vipsSynced || l.vipsMaster {
		return nil
	}
	held, err := l.o.VIPs.Sync(ctx, addresses(l.cfg, true), addressPolicyOf(l.cfg))
	st.Addresses = held
	if err != nil {
		return fmt.Errorf("VIP addresses on takeover: %w", err)
	}
	l.vipsMaster = true
	l.o.Log.Info("took over: VIPs added before the round", "vips", len(held))
	return nil
}
