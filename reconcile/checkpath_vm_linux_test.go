package reconcile

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/checks"
	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/internal/netnsexec"
	"github.com/seesaw-lb/seesaw/internal/testenv"
	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/checkpath"
)

// vmTopo is the topology of TestChecksThroughIPVSInVM: the LB (the VM's
// root namespace, not holding the VIP, like a backup node) reaches backend
// A on lbA and backend B on lbB, two veth pairs, each a /plen link.
type vmTopo struct {
	vip, lbA, a, lbB, b string
	plen                string
}

var (
	topo4 = vmTopo{vip: "192.0.2.210", lbA: "198.51.100.1", a: "198.51.100.2", lbB: "198.51.100.5", b: "198.51.100.6", plen: "30"}
	topo6 = vmTopo{vip: "2001:db8:10::210", lbA: "2001:db8:1::1", a: "2001:db8:1::2", lbB: "2001:db8:2::1", b: "2001:db8:2::2", plen: "64"}
)

// vipPrefix is the VIP as a host prefix.
func (tp vmTopo) vipPrefix() string {
	if strings.Contains(tp.vip, ":") {
		return tp.vip + "/128"
	}
	return tp.vip + "/32"
}

func requireVMIPVS(t *testing.T) {
	t.Helper()
	testenv.RequireVM(t, "ip")
}

// sh runs one command and fails the test with its output on error.
func sh(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v: %s", strings.Join(args, " "), err, out)
	}
}

// backendNS creates namespace ns joined to the LB by veth lbIf (LB side,
// lbAddr) and eth0 (backend side, addr, default route to the LB), with
// arp_ignore/arp_announce as DR backends have, rp_filter off (a tunnelled
// packet arrives on tunl0 from an address routed via eth0) and no IPv6
// duplicate address detection. vipOnLo adds the VIP to its loopback.
func backendNS(t *testing.T, tp vmTopo, ns, lbIf, lbAddr, addr string, vipOnLo bool) {
	t.Helper()
	sh(t, "ip", "netns", "add", ns)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	in := func(args ...string) { sh(t, append([]string{"ip", "netns", "exec", ns}, args...)...) }
	for _, kv := range []string{"net.ipv4.conf.all.arp_ignore=1", "net.ipv4.conf.all.arp_announce=2",
		"net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0", "net.ipv6.conf.default.accept_dad=0"} {
		in("sysctl", "-w", kv)
	}
	sh(t, "ip", "link", "add", lbIf, "type", "veth", "peer", "name", "eth0", "netns", ns)
	// Namespace teardown is asynchronous; deleting our end removes the pair now.
	t.Cleanup(func() { exec.Command("ip", "link", "del", lbIf).Run() })
	sh(t, "sysctl", "-w", "net.ipv6.conf."+lbIf+".accept_dad=0")
	sh(t, "ip", "addr", "add", lbAddr+"/"+tp.plen, "dev", lbIf)
	sh(t, "ip", "link", "set", lbIf, "up")
	in("ip", "addr", "add", addr+"/"+tp.plen, "dev", "eth0")
	in("ip", "link", "set", "eth0", "up")
	in("ip", "link", "set", "lo", "up")
	in("ip", "route", "add", "default", "via", lbAddr)
	if vipOnLo {
		in("ip", "addr", "add", tp.vipPrefix(), "dev", "lo")
	}
}

// serveIn starts an HTTP server listening on :80 inside namespace ns.
func serveIn(t *testing.T, ns, body string) {
	t.Helper()
	var l net.Listener
	err := netnsexec.Do(ns, func() (err error) {
		l, err = net.Listen("tcp", ":80")
		return err
	})
	if err != nil {
		t.Fatalf("listen in %s: %v", ns, err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, body) })}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
}

// vmChecksConfig is the node (interface lbA, marks 60000-60009) and service
// web with one plain and one path check of the given mode.
func vmChecksConfig(t *testing.T, tp vmTopo, forward, mode string, backends ...string) desired.Config {
	var b strings.Builder
	fmt.Fprintf(&b, "services:\n  - name: web\n    vip: %s\n    forward: %s\n    ports: [{proto: tcp, port: 80}]\n", tp.vip, forward)
	fmt.Fprintf(&b, "    checks:\n      - {type: http, port: 80}\n      - {type: http, port: 80, mode: %s}\n    backends:\n", mode)
	for _, a := range backends {
		fmt.Fprintf(&b, "      - {address: %s}\n", a)
	}
	return config(t, "node.yaml", "node: {name: vm, interface: lbA, check_fwmarks: 60000-60009}\n", "svc.yaml", b.String())
}

// vmRound plans against the real table and applies the plan.
func vmRound(t *testing.T, c kernel.IPVS, cfg desired.Config, h Health) Outcome {
	t.Helper()
	out := Compute(snapshot(t, c), Inputs{Config: cfg, Health: h, Now: time.Now()})
	mustApply(t, c, out.Plan.Ops())
	return out
}

// runChecks runs every check of every backend once through the checks
// engine, dialled as CheckDialOf says, and returns each verdict by
// "mode backend" once every check has had at least two results. Marked
// (dsr/tunnel) checks bind their socket to source when it is valid.
func runChecks(t *testing.T, cfg desired.Config, marks CheckMarks, source netip.Addr) map[string]checks.State {
	t.Helper()
	s := &cfg.Services[0]
	spec := &checks.Spec{Type: checks.TypeHTTP, Interval: 200 * time.Millisecond, Timeout: 500 * time.Millisecond, Rise: 1, Fall: 1}
	names := map[checks.Target]string{}
	var cs []checks.Check
	for i := range s.Backends {
		for j := range s.Checks {
			d, err := CheckDialOf(marks, s, &s.Backends[i], &s.Checks[j], 80)
			if err != nil {
				t.Fatal(err)
			}
			tg := checks.Target{Address: d.Addr.Addr(), Port: d.Addr.Port(), Mark: d.Mark}
			if d.Mark != 0 {
				tg.Source = source
			}
			names[tg] = string(s.Checks[j].Mode) + " " + s.Backends[i].Address.String()
			cs = append(cs, checks.Check{Target: tg, Spec: spec})
		}
	}
	return runTargets(t, cs, names)
}

// runTargets runs the checks through the checks engine until every one has
// had at least two results and returns each verdict by its name.
func runTargets(t *testing.T, cs []checks.Check, names map[checks.Target]string) map[string]checks.State {
	t.Helper()
	e := checks.New(checks.Options{})
	if err := e.Update(cs); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go e.Run(ctx)
	deadline := time.Now().Add(20 * time.Second)
	for {
		sts := e.Statuses()
		got := map[string]checks.State{}
		done := len(sts) == len(cs)
		for _, st := range sts {
			got[names[st.Key.Target]] = st.State
			done = done && st.Checks >= 2
		}
		if done {
			for _, st := range sts {
				t.Logf("%s (%s): %s after %d checks, last error %v", names[st.Key.Target], st.Key.Target, st.State, st.Checks, st.LastError)
			}
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("checks did not all run twice in 20s: %+v", sts)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// healthOf turns the verdicts into reconcile health: a backend is healthy
// when both its checks are up.
func healthOf(cfg desired.Config, got map[string]checks.State) Health {
	h := Health{}
	s := &cfg.Services[0]
	for _, b := range s.Backends {
		h[HealthKey(s, &b)] = got["plain "+b.Address.String()] == checks.StateUp && got[string(s.Checks[1].Mode)+" "+b.Address.String()] == checks.StateUp
	}
	return h
}

// TestChecksThroughIPVSInVM: in DR and tunnel mode, a plain check calls
// both backends healthy, a path check only A (B lacks the VIP, or the
// tunnel), B's destination is gated to weight 0, and removing B removes its
// check service; the check route goes when no path check is left.
func TestChecksThroughIPVSInVM(t *testing.T) {
	requireVMIPVS(t)
	for _, tc := range []struct {
		name, forward, mode string
		tp                  vmTopo
	}{{"dsr", "dr", "dsr", topo4}, {"tunnel", "tunnel", "tunnel", topo4}, {"dsr ipv6", "dr", "dsr", topo6}} {
		t.Run(tc.name, func(t *testing.T) { checksThroughIPVS(t, tc.tp, tc.forward, tc.mode) })
	}
}

func checksThroughIPVS(t *testing.T, tp vmTopo, forward, mode string) {
	vmA, vmB := tp.a, tp.b
	requireNotLocal(t, tp.vip)
	c, err := kernel.Dial(kernel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() }) // cleanups run last-in first-out: after the table is emptied
	routes, err := checkpath.NewRoutes(0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syncCheckRoutes(context.Background(), routes, nil)
		routes.Close()
	})
	if mode == "dsr" {
		backendNS(t, tp, "dsrA", "lbA", tp.lbA, vmA, true)
		backendNS(t, tp, "dsrB", "lbB", tp.lbB, vmB, false) // serves, lacks the VIP
	} else {
		backendNS(t, tp, "dsrA", "lbA", tp.lbA, vmA, true)
		// B has the VIP but no tunnel interface: a namespace created while
		// fb_tunnels_only_for_init_net=1 gets no tunl0.
		sh(t, "sysctl", "-w", "net.core.fb_tunnels_only_for_init_net=1")
		backendNS(t, tp, "dsrB", "lbB", tp.lbB, vmB, true)
		sh(t, "sysctl", "-w", "net.core.fb_tunnels_only_for_init_net=0")
		sh(t, "ip", "netns", "exec", "dsrA", "ip", "link", "set", "tunl0", "up")
		if out, _ := exec.Command("ip", "netns", "exec", "dsrB", "ip", "link", "show", "tunl0").CombinedOutput(); !strings.Contains(string(out), "does not exist") {
			t.Fatalf("backend B has a tunl0: %s", out)
		}
	}
	serveIn(t, "dsrA", "A")
	serveIn(t, "dsrB", "B")
	t.Cleanup(func() {
		mustApply(t, c, Compute(snapshot(t, c), Inputs{Config: config(t, "node.yaml", "node: {name: vm, interface: lbA}\n"), Now: time.Now()}).Plan.Ops())
	})

	cfg := vmChecksConfig(t, tp, forward, mode, vmA, vmB)
	out := vmRound(t, c, cfg, nil)
	if err := syncCheckRoutes(context.Background(), routes, checkRoutesOf(cfg)); err != nil {
		t.Fatal(err)
	}
	if len(out.Target.CheckMarks) != 2 {
		t.Fatalf("check marks %v", out.Target.CheckMarks)
	}
	got := runChecks(t, cfg, out.Target.CheckMarks, netip.Addr{})
	want := map[string]checks.State{"plain " + vmA: checks.StateUp, "plain " + vmB: checks.StateUp,
		mode + " " + vmA: checks.StateUp, mode + " " + vmB: checks.StateDown}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s check: %s, want %s", k, got[k], w)
		}
	}
	if mode == "dsr" && tp == topo4 {
		checkTypesThroughIPVS(t, tp, cfg, out.Target.CheckMarks)
	}

	vmRound(t, c, cfg, healthOf(cfg, got))
	live := snapshot(t, c)
	weights := map[string]uint32{}
	checkSvcs := map[string]uint32{}
	for _, s := range live.Services {
		for _, d := range s.Destinations {
			if s.Key.IsFWMark() {
				checkSvcs[d.Key.Addr.String()] = s.Key.FWMark
			} else {
				weights[d.Key.Addr.String()] = d.Config.Weight
			}
		}
	}
	if weights[vmA] != 1 || weights[vmB] != 0 {
		t.Errorf("VIP destination weights %v, want A 1 and B 0", weights)
	}
	if len(checkSvcs) != 2 {
		t.Errorf("check services by backend: %v", checkSvcs)
	}
	waitCheckConns(t, c, len(checkSvcs))

	// Remove backend B: its check service goes, A's stays with its mark.
	cfgA := vmChecksConfig(t, tp, forward, mode, vmA)
	vmRound(t, c, cfgA, nil)
	after := map[string]uint32{}
	for _, s := range snapshot(t, c).Services {
		if s.Key.IsFWMark() {
			for _, d := range s.Destinations {
				after[d.Key.Addr.String()] = s.Key.FWMark
			}
		}
	}
	if len(after) != 1 || after[vmA] != checkSvcs[vmA] {
		t.Errorf("check services after removing B: %v (before %v)", after, checkSvcs)
	}

	// No path check left: the check route is deleted.
	plain := config(t, "node.yaml", "node: {name: vm, interface: lbA}\n", "svc.yaml",
		"services:\n  - name: web\n    vip: "+tp.vip+"\n    forward: "+forward+"\n    ports: [{proto: tcp, port: 80}]\n    backends: [{address: "+vmA+"}]\n")
	if err := syncCheckRoutes(context.Background(), routes, checkRoutesOf(plain)); err != nil {
		t.Fatal(err)
	}
	if rs, err := routes.List(context.Background()); err != nil || len(rs) != 0 {
		t.Errorf("check routes left: %v %v", rs, err)
	}
}

// waitCheckConns waits until n check services show scheduled connections:
// both backends' checks went through IPVS, so B failed for lack of the VIP
// or tunnel, not for want of a path. The kernel folds its per-CPU counters
// into the reported stats every 2 s (the rate estimator), hence the wait.
func waitCheckConns(t *testing.T, c kernel.IPVS, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var seen []string
		for _, s := range snapshot(t, c).Services {
			if s.Key.IsFWMark() && s.Stats.Conns > 0 {
				seen = append(seen, s.Key.String())
			}
		}
		if len(seen) == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %v of %d check services scheduled connections in 10s", seen, n)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// requireNotLocal fails when vip is an address of the LB: these tests are
// about a node that does not hold the VIP (TestDSRCheckOnMasterInVM covers
// the one that does).
func requireNotLocal(t *testing.T, vip string) {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if p, err := netip.ParsePrefix(a.String()); err == nil && p.Addr().String() == vip {
			t.Fatalf("%s is an address of the VM already (left by another test?)", vip)
		}
	}
}
