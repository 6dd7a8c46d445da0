package daemon

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/netnsexec"
	"github.com/seesaw-lb/seesaw/internal/testenv"
	"github.com/seesaw-lb/seesaw/reconcile"
)

// birdConf is a BIRD 2 router (AS 65000) that accepts any LB of
// 203.0.113.0/24 as an eBGP peer and keeps its host routes.
const birdConf = `log stderr all;
router id 203.0.113.2;
protocol device {}
filter host4 { if net.len = 32 then accept; reject; }
filter host6 { if net.len = 128 then accept; reject; }
protocol bgp lbs4 {
  local 203.0.113.2 as 65000; neighbor range 203.0.113.0/24 external; dynamic name "lb4_"; hold time 3;
  ipv4 { import filter host4; export none; };
}
protocol bgp lbs6 {
  local 2001:db8:ffff::2 as 65000; neighbor range 2001:db8:ffff::/64 external; dynamic name "lb6_"; hold time 3;
  ipv6 { import filter host6; export none; };
}
`

// routerTestNode is the LB's node of the router tests: node.bgp towards
// the router at 203.0.113.2 (AS 65000) with the attributes the tests look
// for, more node.bgp keys (the peers among them, each line indented four
// spaces), and a service "api" on 192.0.2.20 whose one backend is checked
// over TCP, and "web6" on 2001:db8:10::10.
func routerTestNode(bgpKeys string) string {
	return `node:
  name: lb1
  interface: eth0
  scope: {prefixes: [192.0.2.0/24, 2001:db8:10::/64]}
  bgp:
    asn: 4200000001
    router_id: 203.0.113.1
    announce: [192.0.2.0/24, 2001:db8:10::/64]
    med: 50
    as_path_prepend: 2
    communities: [65000:100]
    large_communities: [4200000001:1:2]
    shutdown_grace: 2s
` + bgpKeys + `services:
  - name: api
    vip: 192.0.2.20
    ports: [{proto: tcp, port: 80}]
    checks: [{type: tcp, interval: 100ms, timeout: 100ms, rise: 1, fall: 1}]
    backends: [{address: 203.0.113.1, port: 8080}]
  - name: web6
    vip: 2001:db8:10::10
    ports: [{proto: tcp, port: 80}]
    backends: [{address: 2001:db8:ffff::100}]
`
}

// bgpNode is the LB's node towards the BIRD router: a session over each
// family.
var bgpNode = routerTestNode(`    peers:
      - {address: 203.0.113.2, asn: 65000, hold_time: 3s}
      - {address: 2001:db8:ffff::2, asn: 65000, hold_time: 3s}
`)

// bird runs BIRD in namespace ns and returns a function that prints its
// view of the routes (birdc show route all).
func bird(t *testing.T, ns string) func() string {
	t.Helper()
	dir := t.TempDir()
	conf, sock := filepath.Join(dir, "bird.conf"), filepath.Join(dir, "bird.ctl")
	if err := os.WriteFile(conf, []byte(birdConf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("ip", "netns", "exec", ns, "bird", "-f", "-c", conf, "-s", sock, "-P", filepath.Join(dir, "bird.pid"))
	logs := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("bird log:\n%s", logs.String())
		}
	})
	return func() string {
		out, err := exec.Command("birdc", "-s", sock, "show", "route", "all").CombinedOutput()
		if err != nil {
			return fmt.Sprintf("birdc: %v: %s", err, out)
		}
		return string(out)
	}
}

// backend serves TCP on 203.0.113.1:8080 inside ns until the returned
// function closes it.
func backend(t *testing.T, ns string) func() {
	t.Helper()
	var ln net.Listener
	if err := netnsexec.Do(ns, func() (err error) {
		ln, err = net.Listen("tcp", "203.0.113.1:8080")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return func() { ln.Close() }
}

// lastView prints the last view a wait saw.
type lastView struct{ s *string }

func (v lastView) String() string { return *v.s }

// hasRoute reports whether BIRD's view holds prefix.
func hasRoute(view, prefix string) bool { return strings.Contains(view, prefix+" ") }

// TestBGPWithBIRD peers the daemon (fake IPVS, real VIP addresses) with
// BIRD 2 in another namespace and checks BIRD's own view of the routes:
// attributes, withdrawal and return on a health change, drain-node and
// undrain-node, withdrawal before exit on SIGTERM, the closed session of
// kill -9, and expiry after the hold time when the node hangs.
func TestBGPWithBIRD(t *testing.T) {
	testenv.RequireNetNS(t, "bird", "birdc")
	ns := netnsPairDual(t) // ns[0]: the LB at 203.0.113.1 and 2001:db8:ffff::1; ns[1]: the router at .2 and ::2
	routes := bird(t, ns[1])
	stopBackend := backend(t, ns[0])
	socket, proc, code := netnsDaemonWith(t, ns[0], "lb1", bgpNode, childRealAddrsEnv+"=1")

	const web, api, web6 = "192.0.2.10/32", "192.0.2.20/32", "2001:db8:10::10/128"
	wait := func(what string, cond func(string) bool) {
		t.Helper()
		var view string
		testenv.Eventually(t, 20*time.Second, func() bool { view = routes(); return cond(view) }, "%s; BIRD's routes:\n%s", what, lastView{&view})
	}
	wait("every VIP announced", func(v string) bool { return hasRoute(v, web) && hasRoute(v, api) && hasRoute(v, web6) })
	view := routes()
	for _, want := range []string{"BGP.as_path: 4200000001 4200000001 4200000001", "BGP.med: 50",
		"BGP.community: (65000,100)", "BGP.large_community: (4200000001, 1, 2)", "BGP.next_hop: 203.0.113.1",
		"BGP.next_hop: 2001:db8:ffff::1"} {
		if !strings.Contains(view, want) {
			t.Errorf("BIRD's routes lack %q:\n%s", want, view)
		}
	}

	st, err := NewClient(socket).Status()
	if err != nil {
		t.Fatal(err)
	}
	if b := st.BGP; b == nil || !b.Running || len(b.Peers) != 2 || !b.Peers[0].Up || !b.Peers[1].Up ||
		b.Peers[0].Advertised+b.Peers[1].Advertised != 3 || len(b.Routes) != 3 || !b.Routes[0].Announced || !b.Routes[1].Announced || !b.Routes[2].Announced {
		t.Errorf("status bgp = %+v", st.BGP)
	}

	stopBackend()
	wait("api withdrawn when its only backend fails", func(v string) bool { return hasRoute(v, web) && !hasRoute(v, api) })
	if st, err := NewClient(socket).Status(); err != nil || st.BGP == nil || len(st.BGP.Routes) != 3 ||
		st.BGP.Routes[1].Prefix != api || st.BGP.Routes[1].Announced || st.BGP.Routes[1].Reason != reconcile.RouteNoServiceUp ||
		st.BGP.Routes[1].Transitions != 2 {
		t.Errorf("status bgp after the backend failed = %+v, %v", st.BGP, err)
	}
	stopBackend = backend(t, ns[0])
	defer func() { stopBackend() }()
	wait("api announced again when the backend is back", func(v string) bool { return hasRoute(v, api) })

	if err := NewClient(socket).DrainNode(); err != nil {
		t.Fatalf("drain-node: %v", err)
	}
	wait("every route withdrawn on drain-node", func(v string) bool { return !hasRoute(v, web) && !hasRoute(v, api) && !hasRoute(v, web6) })
	if err := NewClient(socket).UndrainNode(); err != nil {
		t.Fatalf("undrain-node: %v", err)
	}
	wait("routes back on undrain-node", func(v string) bool { return hasRoute(v, web) && hasRoute(v, api) })

	// SIGTERM: the routes go while the daemon still runs (its 2 s grace).
	if err := proc.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	wait("every route withdrawn after SIGTERM", func(v string) bool { return !hasRoute(v, web) && !hasRoute(v, api) && !hasRoute(v, web6) })
	stillRunning(t, "the daemon", "BIRD saw the routes withdrawn", code)
	waitExitOK(t, "the daemon", code)

	// kill -9: nothing is withdrawn, but the kernel closes the session's
	// socket, so BIRD drops the routes at once.
	_, proc, _ = netnsDaemonWith(t, ns[0], "lb1", bgpNode, childRealAddrsEnv+"=1")
	wait("routes announced by the restarted daemon", func(v string) bool { return hasRoute(v, web) && hasRoute(v, api) })
	killed := time.Now()
	if err := proc.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	wait("routes gone after kill -9", func(v string) bool { return !hasRoute(v, web) && !hasRoute(v, api) })
	t.Logf("kill -9: routes gone from BIRD %s after the kill", time.Since(killed).Round(100*time.Millisecond))

	// A hung node (SIGSTOP: the socket stays open, keepalives stop): BIRD
	// drops the routes when the 3 s hold time expires, not before.
	_, proc, _ = netnsDaemonWith(t, ns[0], "lb1", bgpNode, childRealAddrsEnv+"=1")
	wait("routes announced by the third daemon", func(v string) bool { return hasRoute(v, web) && hasRoute(v, api) })
	stopped := time.Now()
	if err := proc.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	defer proc.Process.Signal(syscall.SIGCONT)
	time.Sleep(time.Second)
	if v := routes(); !hasRoute(v, web) {
		t.Fatalf("routes gone 1 s after SIGSTOP, before the 3 s hold time:\n%s", v)
	}
	wait("routes gone after the hold time", func(v string) bool { return !hasRoute(v, web) && !hasRoute(v, api) })
	t.Logf("hung node: routes gone from BIRD %s after SIGSTOP (hold time 3s)", time.Since(stopped).Round(100*time.Millisecond))
}
