package reconcile

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/kernel/kerneltest"
)

func TestVIPsFollowMastershipAndConfig(t *testing.T) {
	ctx := context.Background()
	fa := kerneltest.NewAddresses("eth1", "eth2")
	own := netip.MustParsePrefix("192.0.2.2/24")        // the node's own address: never touched
	stray := netip.MustParsePrefix("192.0.2.99/32")     // in scope, not configured: removed
	foreign := netip.MustParsePrefix("203.0.113.50/32") // outside scope, unknown: kept
	for _, p := range []netip.Prefix{own, stray, foreign} {
		if err := fa.Add(ctx, "eth1", p); err != nil {
			t.Fatal(err)
		}
	}
	v := NewVIPs(fa, nil)
	cfg := config(t, "node.yaml", "node: {name: lb1, interface: [eth1, eth2], scope: {prefixes: [192.0.2.0/24]}}\n", "svc.yaml", "services:\n"+webYAML+`
  - name: dns
    vip: 192.0.2.53
    interface: eth2
    ports: [{proto: udp, port: 53}]
    backends: [{address: 198.51.100.53}]
`)
	pol := addressPolicyOf(cfg)

	held, err := v.Sync(ctx, effective(cfg, nil, true, nil).Addresses, pol)
	if err != nil || len(held) != 2 {
		t.Fatalf("master: held %v, %v", held, err)
	}
	eth1, _ := fa.List(ctx, "eth1")
	eth2, _ := fa.List(ctx, "eth2")
	if !slices.Contains(eth1, netip.MustParsePrefix("192.0.2.10/32")) || !slices.Contains(eth2, netip.MustParsePrefix("192.0.2.53/32")) ||
		!slices.Contains(eth1, own) || !slices.Contains(eth1, foreign) || slices.Contains(eth1, stray) {
		t.Fatalf("master: eth1 %v eth2 %v", eth1, eth2)
	}
	waitUntil(t, func() bool { return len(fa.Announced()) >= 2 })
	if got := fa.Announced(); len(got) != 2 {
		t.Fatalf("announced %v, want both new VIPs", got)
	}

	// Unchanged: nothing added, nothing announced again.
	_, err = v.Sync(ctx, effective(cfg, nil, true, nil).Addresses, pol)
	time.Sleep(50 * time.Millisecond) // an announcement would be on its way
	if err != nil || len(fa.Announced()) != 2 {
		t.Fatalf("second sync announced again: %v %v", fa.Announced(), err)
	}

	// Backup: every VIP goes, the rest stays.
	if held, err = v.Sync(ctx, effective(cfg, nil, false, nil).Addresses, pol); err != nil || len(held) != 0 {
		t.Fatalf("backup: %v %v", held, err)
	}
	eth1, _ = fa.List(ctx, "eth1")
	eth2, _ = fa.List(ctx, "eth2")
	if !slices.Equal(eth1, []netip.Prefix{own, foreign}) || len(eth2) != 0 {
		t.Fatalf("backup: eth1 %v eth2 %v", eth1, eth2)
	}

	// A missing interface is reported, the others still converge.
	bad := []Address{{Interface: "eth9", Prefix: netip.MustParsePrefix("192.0.2.10/32")}}
	if _, err := v.Sync(ctx, bad, pol); err == nil || !strings.Contains(err.Error(), "eth9") {
		t.Fatalf("missing interface: %v", err)
	}
}
