package daemon

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/testenv"
)

// frrBGPConf is the FRR configuration of docs/anycast.md ("Router: FRR")
// with the router id of the test's router (203.0.113.2); the listen range,
// peer group, timers, prefix lists and multipath settings are the docs'.
const frrBGPConf = `router bgp 65000
 no bgp ebgp-requires-policy
 bgp router-id 203.0.113.2
 bgp bestpath as-path multipath-relax
 neighbor LB peer-group
 neighbor LB remote-as external
 neighbor LB timers 3 9
 bgp listen range 203.0.113.0/24 peer-group LB
 address-family ipv4 unicast
  neighbor LB activate
  neighbor LB prefix-list lb-host4 in
  maximum-paths 16
 exit-address-family
 address-family ipv6 unicast
  neighbor LB activate
  neighbor LB prefix-list lb-host6 in
  maximum-paths 16
 exit-address-family
!
ip prefix-list lb-host4 permit 192.0.2.0/24 ge 32
ipv6 prefix-list lb-host6 permit 2001:db8:10::/64 ge 128
`

// frrNode is the LB's node with the one IPv4 session of docs/anycast.md:
// both families travel over it, the IPv6 VIP with next_hop_ipv6.
var frrNode = routerTestNode(`    next_hop_ipv6: 2001:db8:ffff::1
    peers:
      - {address: 203.0.113.2, asn: 65000, hold_time: 3s}
`)

// frrDir is where Debian's frr package puts the daemons.
const frrDir = "/usr/lib/frr"

// requireFRR skips t unless FRR's zebra, bgpd, vtysh and its frr user (the
// daemons drop privileges to it; root is not in the frrvty group) exist.
func requireFRR(t *testing.T) *user.User {
	t.Helper()
	for _, p := range []string{filepath.Join(frrDir, "zebra"), filepath.Join(frrDir, "bgpd")} {
		if _, err := os.Stat(p); err != nil {
			t.Skipf("FRR is not installed (%v); make deps installs Debian's frr", err)
		}
	}
	if _, err := exec.LookPath("vtysh"); err != nil {
		t.Skipf("FRR is not installed (%v); make deps installs Debian's frr", err)
	}
	u, err := user.Lookup("frr")
	if err != nil {
		t.Skipf("FRR's user is missing (%v); make deps installs Debian's frr", err)
	}
	return u
}

// frr runs FRR's zebra and bgpd in namespace ns, each with its config,
// pid file, zserv socket and vty sockets in a private directory (nothing
// of the host's /etc/frr or /run/frr is used), and returns vtysh on that
// directory: it runs one command and returns its output.
func frr(t *testing.T, ns string, u *user.User) func(cmd string) (string, error) {
	t.Helper()
	dir, err := os.MkdirTemp("", "seesaw-frr-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(dir, uid, gid); err != nil {
		t.Fatal(err)
	}
	zserv := filepath.Join(dir, "zserv.api")
	for _, d := range []struct{ name, conf string }{{"zebra", ""}, {"bgpd", frrBGPConf}} {
		conf := filepath.Join(dir, d.name+".conf")
		if err := os.WriteFile(conf, []byte(d.conf), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("ip", "netns", "exec", ns, filepath.Join(frrDir, d.name),
			"-f", conf, "-i", filepath.Join(dir, d.name+".pid"), "-z", zserv, "--vty_socket", dir,
			"-u", "frr", "-g", "frr", "-P", "0", "--log", "stdout")
		logs := &syncBuffer{}
		cmd.Stdout, cmd.Stderr = logs, logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		name := d.name
		t.Cleanup(func() {
			// SIGTERM lets FRR remove its crash-log directory under /var/tmp/frr.
			cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				<-done
			}
			if t.Failed() {
				t.Logf("%s log:\n%s", name, logs.String())
			}
		})
		if name == "zebra" { // bgpd connects to zebra's socket once, at start
			testenv.Eventually(t, 10*time.Second, func() bool { _, err := os.Stat(zserv); return err == nil },
				"zebra made no zserv socket %s; its log:\n%s", zserv, logs)
		}
	}
	return func(cmd string) (string, error) {
		out, err := exec.Command("vtysh", "--vty_socket", dir, "-c", cmd).CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("vtysh -c %q: %v: %s", cmd, err, out)
		}
		return string(out), nil
	}
}

// frrTable is the part of FRR's "show bgp <afi> unicast json" the test
// reads: each prefix's paths.
type frrTable struct {
	Routes map[string][]struct {
		Valid bool `json:"valid"`
	} `json:"routes"`
}

// frrView is FRR's BGP table for both families.
type frrView struct {
	routes map[string]bool // prefix -> has a valid path
	raw    string
}

func (v frrView) String() string { return v.raw }

func (v frrView) has(prefix string) bool { return v.routes[prefix] }

// frrRoutes reads FRR's BGP tables; an error is a view without routes
// whose text says what failed.
func frrRoutes(vtysh func(string) (string, error)) frrView {
	v := frrView{routes: map[string]bool{}}
	for _, afi := range []string{"ipv4", "ipv6"} {
		out, err := vtysh("show bgp " + afi + " unicast json")
		if err != nil {
			v.raw += err.Error() + "\n"
			continue
		}
		v.raw += out
		var tab frrTable
		if err := json.Unmarshal([]byte(out), &tab); err != nil {
			v.raw += fmt.Sprintf("decoding show bgp %s unicast json: %v\n", afi, err)
			continue
		}
		for p, paths := range tab.Routes {
			for _, path := range paths {
				if path.Valid {
					v.routes[p] = true
				}
			}
		}
	}
	return v
}

// frrPath is one path of FRR's "show bgp <afi> unicast <prefix> json".
type frrPath struct {
	ASPath struct {
		String string `json:"string"`
	} `json:"aspath"`
	MED       *int `json:"metric"`
	Community struct {
		String string `json:"string"`
	} `json:"community"`
	LargeCommunity struct {
		String string `json:"string"`
	} `json:"largeCommunity"`
	Nexthops []struct {
		IP string `json:"ip"`
	} `json:"nexthops"`
	Valid bool `json:"valid"`
}

// frrPrefix returns FRR's paths for one prefix.
func frrPrefix(t *testing.T, vtysh func(string) (string, error), afi, prefix string) ([]frrPath, string) {
	t.Helper()
	out, err := vtysh(fmt.Sprintf("show bgp %s unicast %s json", afi, prefix))
	if err != nil {
		t.Fatal(err)
	}
	var detail struct {
		Paths []frrPath `json:"paths"`
	}
	if err := json.Unmarshal([]byte(out), &detail); err != nil {
		t.Fatalf("decoding FRR's view of %s: %v\n%s", prefix, err, out)
	}
	return detail.Paths, out
}

// TestBGPWithFRR peers the daemon (fake IPVS, real VIP addresses) with
// FRR 8 (zebra and bgpd) running the router config of docs/anycast.md in
// another namespace, and checks FRR's own view: the VIPs' attributes over
// one IPv4 session carrying both families, zebra's RIB, withdrawal on
// drain-node, return on undrain-node, and withdrawal before exit on
// SIGTERM.
func TestBGPWithFRR(t *testing.T) {
	testenv.RequireNetNS(t)
	u := requireFRR(t)
	ns := netnsPairDual(t) // ns[0]: the LB at 203.0.113.1 and 2001:db8:ffff::1; ns[1]: the router at .2 and ::2
	vtysh := frr(t, ns[1], u)
	stopBackend := backend(t, ns[0])
	defer func() { stopBackend() }()
	socket, proc, code := netnsDaemonWith(t, ns[0], "lb1", frrNode, childRealAddrsEnv+"=1")

	const web, api, web6 = "192.0.2.10/32", "192.0.2.20/32", "2001:db8:10::10/128"
	wait := func(what string, cond func(frrView) bool) {
		t.Helper()
		var view frrView
		testenv.Eventually(t, 30*time.Second, func() bool { view = frrRoutes(vtysh); return cond(view) },
			"%s; FRR's BGP tables:\n%s", what, &view)
	}
	wait("every VIP announced", func(v frrView) bool { return v.has(web) && v.has(api) && v.has(web6) })

	for _, c := range []struct{ afi, prefix, nextHop string }{{"ipv4", api, "203.0.113.1"}, {"ipv6", web6, "2001:db8:ffff::1"}} {
		paths, raw := frrPrefix(t, vtysh, c.afi, c.prefix)
		if len(paths) != 1 {
			t.Fatalf("FRR has %d paths for %s, want 1:\n%s", len(paths), c.prefix, raw)
		}
		p := paths[0]
		if !p.Valid || p.ASPath.String != "4200000001 4200000001 4200000001" || p.MED == nil || *p.MED != 50 ||
			p.Community.String != "65000:100" || p.LargeCommunity.String != "4200000001:1:2" ||
			len(p.Nexthops) == 0 || p.Nexthops[0].IP != c.nextHop {
			t.Errorf("FRR's path for %s lacks the node's attributes (valid, AS path, MED 50, community, large community, next hop %s):\n%s",
				c.prefix, c.nextHop, raw)
		}
	}
	// zebra has the routes from bgpd in its RIB, selected and installed in
	// the router namespace's kernel table.
	for _, c := range []struct{ ip, prefix string }{{"ip", api}, {"ipv6", web6}} {
		var out string
		testenv.Eventually(t, 10*time.Second, func() bool {
			var err error
			if out, err = vtysh("show " + c.ip + " route " + c.prefix + " json"); err != nil {
				out = err.Error()
				return false
			}
			var rib map[string][]struct {
				Protocol  string `json:"protocol"`
				Selected  bool   `json:"selected"`
				Installed bool   `json:"installed"`
			}
			if json.Unmarshal([]byte(out), &rib) != nil {
				return false
			}
			for _, r := range rib[c.prefix] {
				if r.Protocol == "bgp" && r.Selected && r.Installed {
					return true
				}
			}
			return false
		}, "zebra has no selected, installed bgp route for %s:\n%s", c.prefix, lastView{&out})
	}

	if err := NewClient(socket).DrainNode(); err != nil {
		t.Fatalf("drain-node: %v", err)
	}
	wait("every route withdrawn on drain-node", func(v frrView) bool { return !v.has(web) && !v.has(api) && !v.has(web6) })
	if err := NewClient(socket).UndrainNode(); err != nil {
		t.Fatalf("undrain-node: %v", err)
	}
	wait("routes back on undrain-node", func(v frrView) bool { return v.has(web) && v.has(api) && v.has(web6) })

	// SIGTERM: the routes go while the daemon still runs (its 2 s grace).
	if err := proc.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	wait("every route withdrawn after SIGTERM", func(v frrView) bool { return !v.has(web) && !v.has(api) && !v.has(web6) })
	stillRunning(t, "the daemon", "FRR saw the routes withdrawn", code)
	waitExitOK(t, "the daemon", code)
}
