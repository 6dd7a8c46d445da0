package daemon

import (
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/seesaw-lb/seesaw/bgp"
	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/reconcile"
)

// TestBGPConfigMapping: every node.bgp field reaches the speaker's config.
func TestBGPConfigMapping(t *testing.T) {
	med, lp := uint32(50), uint32(200)
	in := &desired.BGP{ASN: 65001, RouterID: netip.MustParseAddr("203.0.113.1"), ListenPort: 1179,
		NextHopIPv4: netip.MustParseAddr("203.0.113.1"), NextHopIPv6: netip.MustParseAddr("2001:db8::1"),
		Communities: []uint32{1}, LargeCommunities: []desired.LargeCommunity{{Global: 1, Local1: 2, Local2: 3}}, MED: &med, LocalPref: &lp, Prepend: 2,
		ShutdownGrace: time.Second,
		Peers: []desired.BGPPeer{{Address: netip.MustParseAddr("203.0.113.254"), ASN: 65000, Port: 179,
			LocalAddress: netip.MustParseAddr("203.0.113.1"), Password: desired.NewSecret("pw"), MultihopTTL: 2,
			HoldTime: 9 * time.Second, Keepalive: 3 * time.Second, Passive: true,
			BFD: &desired.BFD{Interval: 300 * time.Millisecond, Multiplier: 3}, GracefulRestart: time.Minute}}}
	want := bgp.Config{ASN: 65001, RouterID: in.RouterID, ListenPort: 1179,
		Attributes: bgp.Attributes{NextHopIPv4: in.NextHopIPv4, NextHopIPv6: in.NextHopIPv6, Communities: []uint32{1},
			LargeCommunities: []bgp.LargeCommunity{{Global: 1, Local1: 2, Local2: 3}}, MED: &med, LocalPref: &lp, Prepend: 2},
		Peers: []bgp.Peer{{Address: in.Peers[0].Address, Port: 179, ASN: 65000, LocalAddress: in.Peers[0].LocalAddress,
			Password: "pw", MultihopTTL: 2, HoldTime: 9 * time.Second, Keepalive: 3 * time.Second, Passive: true,
			BFD: &bgp.BFD{Interval: 300 * time.Millisecond, Multiplier: 3}, GracefulRestart: time.Minute}}}
	if got := bgpConfig(in); !reflect.DeepEqual(got, want) {
		t.Errorf("bgpConfig =\n%+v\nwant\n%+v", got, want)
	}
}

// TestNodeDrainSurvivesRestart: drain-node is written to the state
// directory, read back by the next daemon, withdraws every route, and
// undrain-node removes it.
func TestNodeDrainSurvivesRestart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state") // created on first use
	log := slog.New(slog.DiscardHandler)
	r := newBGPRunner(dir, log)
	if r.drained {
		t.Fatal("a fresh state directory is drained")
	}
	if err := r.setDrained(true); err != nil {
		t.Fatal(err)
	}
	r = newBGPRunner(dir, log)
	if !r.drained {
		t.Fatal("the drain did not survive a restart")
	}
	vip := netip.MustParseAddr("192.0.2.10")
	cfg := desired.Config{Node: desired.Node{BGP: &desired.BGP{Announce: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}}},
		Services: []desired.Service{{Name: "web", VIP: vip}}}
	st := reconcile.Status{LastRound: time.Now(), Services: []reconcile.ServiceStatus{{Name: "web", Up: true, Healthy: 1, Enabled: 1}},
		Addresses: []reconcile.Address{{Interface: "eth0", Prefix: netip.PrefixFrom(vip, 32)}}}
	if rs := r.verdicts(cfg, st); len(rs) != 1 || rs[0].Announce || rs[0].Reason != reconcile.RouteDrained {
		t.Errorf("drained verdicts = %+v", rs)
	}
	if err := r.setDrained(false); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, nodeDrainedFile)); !os.IsNotExist(err) {
		t.Errorf("undrain-node left the mark: %v", err)
	}
	if rs := r.verdicts(cfg, st); len(rs) != 1 || !rs[0].Announce {
		t.Errorf("undrained verdicts = %+v", rs)
	}
	if err := r.setDrained(false); err != nil {
		t.Errorf("undrain-node of a node not drained: %v", err)
	}
}

// TestBGPMetrics: the verdicts and their transitions are exported; without
// a running speaker no route counts as announced and no peer is listed.
func TestBGPMetrics(t *testing.T) {
	vip := netip.MustParseAddr("192.0.2.10")
	cfg := desired.Config{Node: desired.Node{BGP: &desired.BGP{Announce: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}}},
		Services: []desired.Service{{Name: "web", VIP: vip}}}
	w := &wiring{haveRaw: true, raw: cfg, bgp: newBGPRunner(t.TempDir(), slog.New(slog.DiscardHandler))}
	st := reconcile.Status{LastRound: time.Now(), Services: []reconcile.ServiceStatus{{Name: "web", Up: true, Healthy: 1, Enabled: 1}},
		Addresses: []reconcile.Address{{Interface: "eth0", Prefix: netip.PrefixFrom(vip, 32)}}}
	w.bgp.verdicts(cfg, st)
	st.Services[0].Healthy = 0
	w.bgp.verdicts(cfg, st)
	w.bgp.verdicts(cfg, st)
	reg := prometheus.NewRegistry()
	reg.MustRegister(bgpCollector{w: w})
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			v := m.GetGauge().GetValue() + m.GetCounter().GetValue()
			got = append(got, fmt.Sprintf("%s{%s} %g", mf.GetName(), m.GetLabel()[0].GetValue(), v))
		}
	}
	want := "seesaw_bgp_announced{192.0.2.10/32} 0\nseesaw_bgp_route_transitions_total{192.0.2.10/32} 2"
	if g := strings.Join(got, "\n"); g != want {
		t.Errorf("metrics:\n%s\nwant:\n%s", g, want)
	}
}

// TestNodeServes: only a node that has not read the kernel yet, or could
// not at its last round, withdraws everything.
func TestNodeServes(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name string
		st   reconcile.Status
		want bool
	}{
		{"no round yet", reconcile.Status{}, false},
		{"round applied", reconcile.Status{LastRound: now, Services: []reconcile.ServiceStatus{}}, true},
		{"one op failed", reconcile.Status{LastRound: now, Error: "add service tcp/192.0.2.10:80: invalid argument",
			Services: []reconcile.ServiceStatus{{Name: "web"}}}, true},
		{"kernel unreadable", reconcile.Status{LastRound: now, Error: "read IPVS table: permission denied"}, false},
	}
	for _, tt := range tests {
		if got := nodeServes(tt.st); got != tt.want {
			t.Errorf("%s: nodeServes = %t, want %t", tt.name, got, tt.want)
		}
	}
}
