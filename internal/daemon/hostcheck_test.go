package daemon

import (
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel/kerneltest"
)

// anycastConfig is a node with anycast VIPs on anycast0, facing the routers on eth0.
func anycastConfig() desired.Config {
	return desired.Config{Node: desired.Node{Name: "lb1", Interfaces: []string{"eth0"},
		BGP: &desired.BGP{Interface: "anycast0"}}}
}

// TestAnycastHostChecks: the effective value is the larger of "all" and
// the interface's; arp_ignore >= 1, arp_announce >= 2 and rp_filter 0 or
// 2 fit; an unreadable or garbled value fails with why; a node without
// node.bgp.interface is not checked.
func TestAnycastHostChecks(t *testing.T) {
	base := map[string]string{
		"net/ipv4/conf/all/arp_ignore": "0", "net/ipv4/conf/eth0/arp_ignore": "1",
		"net/ipv4/conf/all/arp_announce": "2", "net/ipv4/conf/eth0/arp_announce": "0",
		"net/ipv4/conf/all/rp_filter": "0", "net/ipv4/conf/eth0/rp_filter": "2\n",
	}
	with := func(k, v string) map[string]string {
		m := maps.Clone(base)
		if v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name   string
		sys    map[string]string
		values []string // arp_ignore, arp_announce, rp_filter
		ok     []bool
	}{
		{"all fit", base, []string{"1", "2", "2"}, []bool{true, true, true}},
		{"arp_ignore 0 on both", with("net/ipv4/conf/eth0/arp_ignore", "0"), []string{"0", "2", "2"}, []bool{false, true, true}},
		{"arp_announce 1", with("net/ipv4/conf/all/arp_announce", "1"), []string{"1", "1", "2"}, []bool{true, false, true}},
		{"strict rp_filter", with("net/ipv4/conf/eth0/rp_filter", "1"), []string{"1", "2", "1"}, []bool{true, true, false}},
		{"loose on the interface beats strict in all", with("net/ipv4/conf/all/rp_filter", "1"), []string{"1", "2", "2"}, []bool{true, true, true}},
		{"unreadable", with("net/ipv4/conf/eth0/arp_ignore", ""), []string{"unreadable: read sysctl net/ipv4/conf/eth0/arp_ignore: open /proc/sys/net/ipv4/conf/eth0/arp_ignore: no such file or directory", "2", "2"},
			[]bool{false, true, true}},
		{"garbled", with("net/ipv4/conf/all/rp_filter", "x"), []string{"1", "2", `unreadable: sysctl net/ipv4/conf/all/rp_filter is "x", not a number`},
			[]bool{true, true, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := anycastHostChecks(anycastConfig(), kerneltest.NewSysctls(tt.sys))
			if len(got) != 3 {
				t.Fatalf("checks = %+v, want 3", got)
			}
			for i, c := range got {
				if c.Setting != "net.ipv4.conf.eth0."+anycastRules[i].name || c.Value != tt.values[i] || c.OK != tt.ok[i] || c.Why == "" {
					t.Errorf("check %d = %+v, want value %q ok %v", i, c, tt.values[i], tt.ok[i])
				}
			}
			if n := len(failedHostChecks(got)); n != countFalse(tt.ok) {
				t.Errorf("failed = %d, want %d", n, countFalse(tt.ok))
			}
		})
	}
	if got := anycastHostChecks(desired.Config{Node: desired.Node{Interfaces: []string{"eth0"}, BGP: &desired.BGP{}}}, kerneltest.NewSysctls(base)); got != nil {
		t.Errorf("without node.bgp.interface: %+v", got)
	}
	two := anycastConfig()
	two.Node.Interfaces = []string{"eth0", "eth1"}
	if got := anycastHostChecks(two, kerneltest.NewSysctls(base)); len(got) != 6 || got[3].Setting != "net.ipv4.conf.eth1.arp_ignore" || got[3].OK {
		t.Errorf("two interfaces, eth1 unreadable: %+v", got)
	}
}

func countFalse(bs []bool) int {
	n := 0
	for _, b := range bs {
		if !b {
			n++
		}
	}
	return n
}

// TestDaemonHostChecksReadItsSysctls: the daemon's one sysctls dependency
// serves both its users: the host checks of an anycast node read it (the
// unfit arp_ignore of eth1 shows in status) and node settings write the
// net.ipv4.vs defaults to it.
func TestDaemonHostChecksReadItsSysctls(t *testing.T) {
	d, _ := fakeDeps(t)
	vals := maps.Clone(kerneltest.IPVSSysctlDefaults)
	maps.Copy(vals, map[string]string{
		"net/ipv4/conf/all/arp_ignore": "0", "net/ipv4/conf/eth1/arp_ignore": "0",
		"net/ipv4/conf/all/arp_announce": "2", "net/ipv4/conf/eth1/arp_announce": "0",
		"net/ipv4/conf/all/rp_filter": "0", "net/ipv4/conf/eth1/rp_filter": "2",
	})
	sys := kerneltest.NewSysctls(vals)
	d.sysctls = sys
	node := "node:\n  name: lb1\n  interface: eth1\n  scope: {prefixes: [192.0.2.0/24]}\n" +
		"  bgp: {asn: 65001, router_id: 127.0.0.1, interface: anycast0, announce: [192.0.2.0/24], shutdown_grace: 0s,\n" +
		"        peers: [{address: 127.0.0.1, port: 9, asn: 65000}]}\n"
	socket := filepath.Join(t.TempDir(), "ctl.sock")
	runTestDaemon(t, d, "--config-dir", writeConfig(t, map[string]string{"node.yaml": node, "web.yaml": webFile(1)}),
		"--control-socket", socket, "--metrics-address", "off")
	eventually(t, "the host checks in status", func() bool {
		return ctl(socket, "status") == nil && len(statusOf(t, socket).HostChecks) == 3
	})
	var unfit []string
	for _, c := range statusOf(t, socket).HostChecks {
		if !c.OK {
			unfit = append(unfit, c.Setting+"="+c.Value)
		}
	}
	if got, want := strings.Join(unfit, " "), "net.ipv4.conf.eth1.arp_ignore=0"; got != want {
		t.Errorf("unfit host settings %q, want %q", got, want)
	}
	eventually(t, "the net.ipv4.vs defaults written", func() bool {
		return slices.Contains(sys.Writes(), "net/ipv4/vs/expire_nodest_conn=1")
	})
}
