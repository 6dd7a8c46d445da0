package reconcile

import (
	"context"
	"fmt"

	"github.com/seesaw-lb/seesaw/kernel/addrs"
)

// Anycast VIPs. With node.bgp.interface set, every VIP inside
// node.bgp.announce is an anycast VIP (desired.Node.AnycastVIP): the
// config puts it on that interface, and the node holds it whether or not
// it is VRRP master (addresses, release.go, heldPolicy), so a VRRP pair
// can run anycast VIPs on both nodes beside VRRP VIPs on the master only.
// An anycast VIP is never announced with gratuitous ARP: the interface is
// a dummy without ARP, and the BGP route (BGPRoutes) alone decides whether
// traffic comes. Holding the VIP is not the same as announcing it: a
// drained or unhealthy node keeps the VIP, so the established flows the
// routers still send it are served while new flows go elsewhere.

// ensureAnycast creates the anycast interface name as a dummy interface
// (up, without ARP) when the addresses can (addrs.DummyMaker) and it is
// not known to exist; "" does nothing.
func (v *VIPs) ensureAnycast(ctx context.Context, name string) error {
	if name == "" || v.dummies[name] {
		return nil
	}
	dm, ok := v.addrs.(addrs.DummyMaker)
	if !ok {
		return nil
	}
	created, err := dm.EnsureDummy(ctx, name)
	if err != nil {
		return fmt.Errorf("anycast interface %s: %w", name, err)
	}
	v.dummies[name] = true
	if created {
		v.log.Info("created the anycast interface", "interface", name, "kind", "dummy", "arp", false)
	}
	return nil
}
