package reconcile

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/testconfig"
	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/kerneltest"
)

// instancesNodeYAML is the two-instance node; db announces its addresses
// three times.
var instancesNodeYAML = testconfig.InstancesNode{DB: "garp_master_repeat: 3"}.String()

// addrList renders addresses as "IF:PREFIX ...".
func addrList(as []Address) string {
	var out []string
	for _, a := range as {
		out = append(out, a.Interface+":"+a.Prefix.String())
	}
	return strings.Join(out, " ")
}

// TestAddressesFollowInstanceMastership: the node holds the VIPs and
// floating addresses of the instances it is master of, and only those;
// IPVS is the same whatever the mastership (hot standby).
func TestAddressesFollowInstanceMastership(t *testing.T) {
	cfg := config(t, "node.yaml", instancesNodeYAML, "svc.yaml", testconfig.InstancesServices)
	for _, tc := range []struct {
		master    bool
		instances map[string]bool
		want      string
	}{
		{false, nil, ""},
		{true, nil, "eth1:192.0.2.10/32 eth1:192.0.2.20/32 eth1:192.0.2.50/24"},
		{false, map[string]bool{"web": true}, "eth1:192.0.2.10/32"},
		{false, map[string]bool{"db": true, "web": false}, "eth1:192.0.2.20/32 eth1:192.0.2.50/24"},
		{true, map[string]bool{"db": false}, "eth1:192.0.2.10/32"},
	} {
		out := Compute(kernel.Snapshot{}, Inputs{Config: cfg, Master: tc.master, Instances: tc.instances, Now: t0})
		if got := addrList(out.Target.Addresses); got != tc.want {
			t.Errorf("master %v instances %v: addresses %q, want %q", tc.master, tc.instances, got, tc.want)
		}
		if len(out.Target.Services) != 2 {
			t.Errorf("master %v instances %v: %d IPVS services, want 2", tc.master, tc.instances, len(out.Target.Services))
		}
	}
}

// TestFloatingAddressPolicy: a floating /24 is owned (so removed when its
// instance is not master) and announced with its instance's garp settings;
// the node's other /24 addresses stay untouched.
func TestFloatingAddressPolicy(t *testing.T) {
	cfg := config(t, "node.yaml", instancesNodeYAML, "svc.yaml", testconfig.InstancesServices)
	pol := addressPolicyOf(cfg)
	floating := Address{Interface: "eth1", Prefix: netip.MustParsePrefix("192.0.2.50/24")}
	own := Address{Interface: "eth1", Prefix: netip.MustParsePrefix("192.0.2.1/24")}
	if !pol.Owns(floating, nil) || pol.Owns(own, nil) {
		t.Fatalf("owns floating %v, the node's own address %v", pol.Owns(floating, nil), pol.Owns(own, nil))
	}
	if an := pol.announceFor(floating); an.Repeat != 3 {
		t.Fatalf("floating address of db announced %+v; want db's garp_master_repeat 3", an)
	}
	if an := pol.announceFor(Address{Interface: "eth1", Prefix: netip.MustParsePrefix("192.0.2.10/32")}); an.Repeat == 3 {
		t.Fatalf("web's VIP announced with db's settings %+v", an)
	}
}

// TestReleaseInstanceKeepsTheOthers: on a loop master of two instances,
// ReleaseInstance removes that instance's addresses before it returns and
// keeps the other's; later rounds keep them so until the instance is
// master again; Status reports each instance.
func TestReleaseInstanceKeepsTheOthers(t *testing.T) {
	f := kerneltest.NewIPVS()
	c, err := f.Dial(kernel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fa := kerneltest.NewAddresses("eth1")
	l := NewLoop(LoopOptions{Kernel: c, VIPs: NewVIPs(fa, nil), Now: func() time.Time { return t0 }})
	l.SetConfig(config(t, "node.yaml", instancesNodeYAML, "svc.yaml", testconfig.InstancesServices))
	l.SetMaster(false)
	l.SetInstanceMaster("web", true)
	l.SetInstanceMaster("db", true)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go l.Run(ctx, time.Hour)
	held := func() string {
		ps, _ := fa.List(context.Background(), "eth1")
		var out []string
		for _, p := range ps {
			out = append(out, p.String())
		}
		slices.Sort(out)
		return strings.Join(out, " ")
	}
	waitUntil(t, func() bool { return held() == "192.0.2.10/32 192.0.2.20/32 192.0.2.50/24" })
	rctx, rcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer rcancel()
	if err := l.ReleaseInstance(rctx, "db"); err != nil {
		t.Fatal(err)
	}
	if got := held(); got != "192.0.2.10/32" {
		t.Fatalf("after ReleaseInstance(db): held %q, want web's VIP alone", got)
	}
	before := l.Status().Rounds
	l.Resync()
	waitUntil(t, func() bool {
		st := l.Status()
		return st.Rounds > before && !st.Instances["db"] && st.Instances["web"] && st.Master
	})
	if got := held(); got != "192.0.2.10/32" {
		t.Fatalf("a later round: held %q", got)
	}
	l.SetInstanceMaster("db", true)
	waitUntil(t, func() bool { return held() == "192.0.2.10/32 192.0.2.20/32 192.0.2.50/24" })
	if err := l.Release(rctx); err != nil {
		t.Fatal(err)
	}
	if got, st := held(), l.Status(); got != "" || st.Master || st.Instances["web"] || st.Instances["db"] {
		t.Fatalf("after Release: held %q, status master %v instances %v", got, st.Master, st.Instances)
	}
}

// TestLeavingVRRPKeepsTheAddresses: a config without VRRP that arrives
// while the node is master of an instance keeps its addresses (the daemon
// then makes the node standalone); a backup holds none until then.
func TestLeavingVRRPKeepsTheAddresses(t *testing.T) {
	cfg := config(t, "node.yaml", "node: {name: lb1, interface: eth1}\n", "svc.yaml", "services:\n"+webYAML)
	for _, tc := range []struct {
		instances map[string]bool
		want      bool
	}{{map[string]bool{"default": true}, true}, {map[string]bool{"web": false, "db": true}, true}, {map[string]bool{"default": false}, false}} {
		out := Compute(kernel.Snapshot{}, Inputs{Config: cfg, Master: false, Instances: tc.instances, Now: t0})
		if got := len(out.Target.Addresses) > 0; got != tc.want {
			t.Errorf("instances %v: holds addresses %v, want %v", tc.instances, got, tc.want)
		}
	}
}

// TestReleaseInstanceKeepsGuardedVIPs: while a held plan keeps the VIPs of
// services a truncated config dropped, releasing one instance removes that
// instance's VIPs and keeps the guarded ones (the node is still master of
// the other); releasing every instance removes them too.
func TestReleaseInstanceKeepsGuardedVIPs(t *testing.T) {
	ctx := context.Background()
	_, c := fakeWith(t)
	fa := kerneltest.NewAddresses("eth1")
	l := NewLoop(LoopOptions{Kernel: c, VIPs: NewVIPs(fa, nil), Now: func() time.Time { return t0 }})
	round := func() Status { l.drainEvents(); l.Round(ctx); return l.Status() }
	held := func() string {
		ps, _ := fa.List(ctx, "eth1")
		var out []string
		for _, p := range ps {
			out = append(out, p.Addr().String())
		}
		slices.Sort(out)
		return strings.Join(out, " ")
	}
	svcs := func(n int) string {
		var b strings.Builder
		b.WriteString("services:\n")
		for i := 1; i <= n; i++ {
			inst := "web"
			if i == 1 {
				inst = "db"
			}
			fmt.Fprintf(&b, "  - {name: s%d, vip: 192.0.2.%d, vrrp_instance: %s, ports: [{proto: tcp, port: 80}], backends: [{address: 198.51.100.1}]}\n", i, i, inst)
		}
		return b.String()
	}
	l.SetMaster(true)
	l.SetConfig(config(t, "node.yaml", instancesNodeYAML, "svc.yaml", svcs(10)))
	if st := round(); st.Error != "" || len(strings.Fields(held())) != 10 {
		t.Fatalf("start: %+v, held %s", st, held())
	}
	l.SetConfig(config(t, "node.yaml", instancesNodeYAML, "svc.yaml", svcs(2)))
	if st := round(); st.Held == "" || len(strings.Fields(held())) != 10 {
		t.Fatalf("truncated config: held %q, VIPs %s", st.Held, held())
	}
	go l.Run(ctx, time.Hour)
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := l.ReleaseInstance(rctx, "db"); err != nil {
		t.Fatal(err)
	}
	if got := held(); strings.Contains(" "+got+" ", " 192.0.2.1 ") || len(strings.Fields(got)) != 9 {
		t.Fatalf("after releasing db: %s; want every VIP but db's 192.0.2.1", got)
	}
	if err := l.Release(rctx); err != nil {
		t.Fatal(err)
	}
	if got := held(); got != "" {
		t.Fatalf("after releasing every instance: %s", got)
	}
}
