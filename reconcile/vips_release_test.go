package reconcile

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/kernel/kerneltest"
)

// TestReleaseDeletesWithoutListing: after a Sync has listed the interface,
// Release removes every VIP a backup must not hold, the ones the takeover
// added since included, without listing again; an address someone else
// added behind its back stays until the next Sync removes it. A Release
// with nothing listed yet lists first.
func TestReleaseDeletesWithoutListing(t *testing.T) {
	ctx := context.Background()
	svcs := "services:\n"
	for i, vip := range []string{"192.0.2.11", "192.0.2.12", "192.0.2.13"} {
		svcs += fmt.Sprintf("  - name: s%d\n    vip: %s\n    ports: [{proto: tcp, port: 80}]\n    backends: [{address: 198.51.100.%d}]\n", i, vip, 10+i)
	}
	cfg := config(t, "node.yaml", "node: {name: lb1, interface: eth1, scope: {prefixes: [192.0.2.0/24]}, vrrp: {vrid: 1, garp_master_repeat: 1, garp_master_delay: 0s}}\n",
		"svc.yaml", svcs)
	master, backup := effective(cfg, nil, true, nil).Addresses, effective(cfg, nil, false, nil).Addresses
	pol := addressPolicyOf(cfg)
	if len(master) != 3 || len(backup) != 0 {
		t.Fatalf("targets: master %v, backup %v", master, backup)
	}
	onEth1 := func(fa *kerneltest.Addresses) []netip.Prefix {
		ps, err := fa.List(ctx, "eth1")
		if err != nil {
			t.Fatal(err)
		}
		return ps
	}

	fa := kerneltest.NewAddresses("eth1")
	if err := fa.Add(ctx, "eth1", master[0].Prefix); err != nil { // left by a crash: found by the listing
		t.Fatal(err)
	}
	lc := &listCounting{Addresses: fa}
	v := NewVIPs(lc, nil)
	if _, err := v.Sync(ctx, backup, pol); err != nil {
		t.Fatal(err)
	}
	if got := onEth1(fa); len(got) != 0 {
		t.Fatalf("a backup's Sync left %v", got)
	}
	if _, err := v.Takeover(ctx, master, pol); err != nil {
		t.Fatal(err)
	}
	stray := netip.MustParsePrefix("192.0.2.99/32")
	if err := fa.Add(ctx, "eth1", stray); err != nil {
		t.Fatal(err)
	}
	lists := lc.lists.Load()
	held, err := v.Release(ctx, backup, pol)
	if err != nil || len(held) != 0 || lc.lists.Load() != lists {
		t.Fatalf("release: held %v, %v, %d listings; want nothing held and no listing", held, err, lc.lists.Load()-lists)
	}
	if got := onEth1(fa); !slices.Equal(got, []netip.Prefix{stray}) {
		t.Fatalf("after the release eth1 has %v, want only the address added behind its back", got)
	}
	if _, err := v.Sync(ctx, backup, pol); err != nil {
		t.Fatal(err)
	}
	if got := onEth1(fa); len(got) != 0 {
		t.Fatalf("the Sync after the release left %v", got)
	}

	// A resumed master: the VIPs are there, and nothing was listed yet.
	fa = kerneltest.NewAddresses("eth1")
	for _, a := range master {
		if err := fa.Add(ctx, "eth1", a.Prefix); err != nil {
			t.Fatal(err)
		}
	}
	lc = &listCounting{Addresses: fa}
	v = NewVIPs(lc, nil)
	held, err = v.Release(ctx, master[:1], pol)
	if err != nil || !slices.Equal(held, master[:1]) || lc.lists.Load() != 1 {
		t.Fatalf("release before any listing: held %v, %v, %d listings; want %v held after one listing", held, err, lc.lists.Load(), master[:1])
	}
	if got := onEth1(fa); !slices.Equal(got, []netip.Prefix{master[0].Prefix}) {
		t.Fatalf("after the release eth1 has %v, want %v", got, master[0].Prefix)
	}
}

// deleteWatching records, at each deletion, how many listings came before.
type deleteWatching struct {
	*listCounting
	mu     sync.Mutex
	before []int64
}

func (d *deleteWatching) Delete(ctx context.Context, ifname string, p netip.Prefix) error {
	d.mu.Lock()
	d.before = append(d.before, d.lists.Load())
	d.mu.Unlock()
	return d.listCounting.Delete(ctx, ifname, p)
}

// TestLoopReleaseDoesNotList: leaving mastership removes the VIPs without
// listing the interface first (the loop's rounds as master listed it), and
// the round after the release lists it again.
func TestLoopReleaseDoesNotList(t *testing.T) {
	fa := kerneltest.NewAddresses("eth1")
	dw := &deleteWatching{listCounting: &listCounting{Addresses: fa}}
	l, _ := vrrpLoop(t, fakeIPVS(t))
	l.o.VIPs = NewVIPs(dw, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go l.Run(ctx, time.Hour)
	held := func() int { ps, _ := fa.List(context.Background(), "eth1"); return len(ps) }
	l.SetMaster(true)
	waitUntil(t, func() bool { return held() == 1 && l.Status().Master })
	rounds := l.Status().Rounds
	l.Resync()
	waitUntil(t, func() bool { return l.Status().Rounds > rounds }) // no round left in flight
	lists := dw.lists.Load()
	rctx, rcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer rcancel()
	if err := l.ReleaseInstance(rctx, "default"); err != nil || held() != 0 {
		t.Fatalf("ReleaseInstance: %v, %d VIPs held", err, held())
	}
	dw.mu.Lock()
	before := slices.Clone(dw.before)
	dw.mu.Unlock()
	if len(before) != 1 || before[0] != lists {
		t.Fatalf("the release deleted %d addresses with %v listings before each; want one, after no new listing (%d)", len(before), before, lists)
	}
	waitUntil(t, func() bool { return dw.lists.Load() > lists }) // the round that follows
	if held() != 0 {
		t.Fatalf("the round after the release added %d VIPs", held())
	}
}
