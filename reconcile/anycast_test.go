package reconcile

import (
	"context"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/kerneltest"
)

// anycastPair is a VRRP node whose 192.0.2.0/24 VIPs are anycast VIPs on
// anycast0; 203.0.113.10 follows VRRP on eth1.
func anycastPair(t *testing.T) desired.Config {
	return config(t, "node.yaml", `node:
  name: lb1
  interface: eth1
  scope: {prefixes: [192.0.2.0/24, 203.0.113.0/24]}
  vrrp: {vrid: 60, priority: 200}
  bgp:
    asn: 4200000001
    router_id: 198.51.100.1
    interface: anycast0
    announce: [192.0.2.0/24]
    peers: [{address: 198.51.100.254, asn: 65000}]
`, "svc.yaml", `services:
  - name: anycast
    vip: 192.0.2.10
    ports: [{proto: tcp, port: 80}]
    backends: [{address: 198.51.100.21}]
  - name: vrrp
    vip: 203.0.113.10
    ports: [{proto: tcp, port: 80}]
    backends: [{address: 198.51.100.22}]
`)
}

var (
	anycastVIP = Address{Interface: "anycast0", Prefix: netip.MustParsePrefix("192.0.2.10/32")}
	vrrpVIP    = Address{Interface: "eth1", Prefix: netip.MustParsePrefix("203.0.113.10/32")}
)

// TestAnycastAddresses: a backup's target holds the anycast VIP on the
// anycast interface and not the VRRP VIP; a master's holds both.
func TestAnycastAddresses(t *testing.T) {
	cfg := anycastPair(t)
	if got := effective(cfg, nil, false, nil).Addresses; !slices.Equal(got, []Address{anycastVIP}) {
		t.Errorf("backup holds %v, want only %v", got, anycastVIP)
	}
	if got := effective(cfg, nil, true, nil).Addresses; !slices.Equal(got, []Address{anycastVIP, vrrpVIP}) {
		t.Errorf("master holds %v, want %v and %v", got, anycastVIP, vrrpVIP)
	}
	pol := addressPolicyOf(cfg)
	if pol.Anycast != "anycast0" || !slices.Equal(pol.Interfaces, []string{"anycast0", "eth1"}) {
		t.Errorf("policy: anycast %q, interfaces %v", pol.Anycast, pol.Interfaces)
	}
}

// TestAnycastVIPHeldOnBackup runs a loop as VRRP backup, then master,
// then released: the anycast interface is created, the anycast VIP is held
// throughout and never announced by gratuitous ARP; the VRRP VIP is held
// and announced only while master. BGPRoutes announces the anycast VIP on
// the backup.
func TestAnycastVIPHeldOnBackup(t *testing.T) {
	_, c := fakeWith(t)
	fa := kerneltest.NewAddresses("eth1")
	l := NewLoop(LoopOptions{Kernel: c, VIPs: NewVIPs(fa, nil), Now: func() time.Time { return t0 }})
	cfg := anycastPair(t)
	l.SetMaster(false)
	l.SetConfig(cfg)
	l.SetHealth(Health{})
	ctx, cancel := context.WithCancel(context.Background())
	runDone := make(chan error, 1)
	go func() { runDone <- l.Run(ctx, time.Hour) }()
	defer func() { cancel(); <-runDone }()
	list := func(ifname string) []netip.Prefix { ps, _ := fa.List(context.Background(), ifname); return ps }
	holds := func(a Address) bool { return slices.Contains(list(a.Interface), a.Prefix) }

	waitUntil(t, func() bool { return l.Status().Rounds > 0 && holds(anycastVIP) })
	if got := fa.Dummies(); !slices.Equal(got, []string{"anycast0"}) {
		t.Errorf("dummies created: %v, want [anycast0]", got)
	}
	if holds(vrrpVIP) {
		t.Errorf("backup holds the VRRP VIP: eth1 %v", list("eth1"))
	}
	st := l.Status()
	routes := BGPRoutes(BGPInputs{Config: cfg, Services: st.Services, Healthy: true, Held: HeldVIPsOf(st.Addresses)})
	if len(routes) != 1 || !routes[0].Announce {
		t.Errorf("backup's routes = %+v, want 192.0.2.10/32 announced", routes)
	}

	l.SetMaster(true)
	waitUntil(t, func() bool { return holds(vrrpVIP) })
	waitUntil(t, func() bool { return len(fa.Announced()) > 0 })
	time.Sleep(50 * time.Millisecond) // an announcement of the anycast VIP would be on its way
	for _, a := range fa.Announced() {
		if a != vrrpVIP.Prefix.Addr() {
			t.Errorf("announced %v, want only the VRRP VIP", fa.Announced())
			break
		}
	}

	rctx, rcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer rcancel()
	if err := l.Release(rctx); err != nil {
		t.Fatal(err)
	}
	if holds(vrrpVIP) || !holds(anycastVIP) {
		t.Errorf("after Release: eth1 %v, anycast0 %v; want the anycast VIP only", list("eth1"), list("anycast0"))
	}
	rounds := l.Status().Rounds
	l.Resync()
	waitUntil(t, func() bool { return l.Status().Rounds > rounds })
	if holds(vrrpVIP) || !holds(anycastVIP) {
		t.Errorf("a round after Release: eth1 %v, anycast0 %v", list("eth1"), list("anycast0"))
	}
}

// TestAnycastHeldServiceKeptOnBackup: a backup keeps the anycast VIP of a
// service whose deletion the mass-delete guard holds back, and not the
// VRRP VIP of one.
func TestAnycastHeldServiceKeptOnBackup(t *testing.T) {
	cfg := anycastPair(t)
	p := Plan{Held: true, HeldSteps: []Step{
		{Op: kernel.Op{Kind: kernel.DeleteService, Service: kernel.NewServiceKey(kernel.TCP, anycastVIP.Prefix.Addr(), 443)}},
		{Op: kernel.Op{Kind: kernel.DeleteService, Service: kernel.NewServiceKey(kernel.TCP, vrrpVIP.Prefix.Addr(), 443)}},
	}}
	if got := heldPolicy(cfg, p, false).Keep; !slices.Equal(got, []netip.Addr{anycastVIP.Prefix.Addr()}) {
		t.Errorf("backup keeps %v, want the anycast VIP", got)
	}
	if got := heldPolicy(cfg, p, true).Keep; len(got) != 2 {
		t.Errorf("master keeps %v, want both", got)
	}
}

// TestAnycastTakeoverAddsWithoutListing: on an anycast node a takeover
// takes the fast path too: the anycast interface is made when missing, the
// VRRP VIP is added and announced without listing any interface, and the
// anycast VIP, held as backup, is neither added again nor announced.
func TestAnycastTakeoverAddsWithoutListing(t *testing.T) {
	ctx := context.Background()
	fa := kerneltest.NewAddresses("eth1")
	lc := &listCounting{Addresses: fa}
	v := NewVIPs(lc, nil)
	cfg := anycastPair(t)
	pol := addressPolicyOf(cfg)
	if held, err := v.Sync(ctx, effective(cfg, nil, false, nil).Addresses, pol); err != nil || !slices.Equal(held, []Address{anycastVIP}) {
		t.Fatalf("backup sync: held %v, %v", held, err)
	}
	lists := lc.lists.Load()
	held, err := v.Takeover(ctx, effective(cfg, nil, true, nil).Addresses, pol)
	if err != nil || !slices.Equal(held, []Address{anycastVIP, vrrpVIP}) || lc.lists.Load() != lists {
		t.Fatalf("takeover: held %v, %v, %d listings; want both VIPs and no listing", held, err, lc.lists.Load()-lists)
	}
	// The VRRP VIP's first announcement has left when Takeover returns;
	// its schedule may have sent more since. The anycast VIP has none.
	got := fa.Announced()
	if len(got) == 0 || slices.ContainsFunc(got, func(a netip.Addr) bool { return a != vrrpVIP.Prefix.Addr() }) {
		t.Fatalf("announced %v at the takeover, want only the VRRP VIP %s", got, vrrpVIP.Prefix.Addr())
	}
}

// TestAnycastTakeoverMakesTheInterface: a takeover on an anycast node
// whose interface is not known to exist makes it before adding.
func TestAnycastTakeoverMakesTheInterface(t *testing.T) {
	ctx := context.Background()
	fa := kerneltest.NewAddresses("eth1")
	v := NewVIPs(fa, nil)
	cfg := anycastPair(t)
	held, err := v.Takeover(ctx, effective(cfg, nil, true, nil).Addresses, addressPolicyOf(cfg))
	if err != nil || !slices.Equal(held, []Address{anycastVIP, vrrpVIP}) {
		t.Fatalf("takeover: held %v, %v; want both VIPs", held, err)
	}
	if got := fa.Dummies(); !slices.Equal(got, []string{"anycast0"}) {
		t.Fatalf("dummies made %v, want [anycast0]", got)
	}
	if ps, err := fa.List(ctx, "anycast0"); err != nil || !slices.Contains(ps, anycastVIP.Prefix) {
		t.Fatalf("anycast0 holds %v (%v), want %s", ps, err, anycastVIP.Prefix)
	}
}
