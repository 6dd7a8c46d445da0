package vrrp

import (
	"fmt"
	"net/netip"
	"testing"
	"time"
)

// variant is one transport of the namespace tests.
type variant struct {
	name        string
	v6, unicast bool
}

var variants = []variant{
	{"ipv4-multicast", false, false},
	{"ipv4-unicast", false, true},
	{"ipv6-multicast", true, false},
	{"ipv6-unicast", true, true},
}

// netnsInterval is the advert interval of the namespace tests: long enough
// that a busy CI host stalling a process for a few hundred ms does not
// cause a spurious takeover (Master_Down_Interval is about 0.9 s).
const netnsInterval = 250 * time.Millisecond

// nodeCfg is member i's config on l: VRID 60, 100 ms adverts, preempt on.
func nodeCfg(l *lan, i int, prio uint8, v variant) Config {
	cfg := Config{Interface: "eth0", VRID: 60, Priority: prio, AdvertInterval: netnsInterval, Preempt: true,
		VIPs: []netip.Addr{netip.MustParseAddr("192.0.2.100")}}
	if v.v6 {
		cfg.VIPs = []netip.Addr{netip.MustParseAddr("2001:db8::100")}
	}
	if v.unicast {
		for j := range l.nss {
			if j == i {
				continue
			}
			if v.v6 {
				cfg.Peers = append(cfg.Peers, l.linkLocal(j))
			} else {
				cfg.Peers = append(cfg.Peers, l.addr4(j))
			}
		}
	}
	return cfg
}

func noDrops(t *testing.T, who string, s Stats) {
	t.Helper()
	for r, n := range s.Drops {
		if n != 0 {
			t.Errorf("%s dropped %d packets as %q: %v", who, n, r, s.Drops)
		}
	}
}

func TestNetnsTwoNodes(t *testing.T) {
	requireNetns(t)
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			l := newLAN(t, 2)
			hiCfg, loCfg := nodeCfg(l, 0, 200, v), nodeCfg(l, 1, 100, v)
			hi := startHelper(t, l.nss[0], "node", hiCfg)
			hi.wait("event", "master", 5*time.Second)
			lo := startHelper(t, l.nss[1], "node", loCfg)
			lo.wait("event", "backup", 5*time.Second)
			lo.quiet(5 * netnsInterval)

			// Master killed: the backup takes over after Master_Down_Interval.
			hi.kill()
			if e := lo.wait("event", "master", 5*time.Second); e.Reason != string(ReasonMasterDown) {
				t.Errorf("takeover after kill: reason %q, want %q", e.Reason, ReasonMasterDown)
			}
			// It comes back and preempts.
			hi = startHelper(t, l.nss[0], "node", hiCfg)
			hi.wait("event", "master", 5*time.Second)
			if e := lo.wait("event", "backup", 5*time.Second); e.Reason != string(ReasonPreempted) {
				t.Errorf("preempted: reason %q, want %q", e.Reason, ReasonPreempted)
			}
			// Graceful shutdown: priority 0, takeover after Skew_Time.
			noDrops(t, "restarted master", hi.stop())
			if e := lo.wait("event", "master", 5*time.Second); e.Reason != string(ReasonPeerShutdown) {
				t.Errorf("takeover after shutdown: reason %q, want %q", e.Reason, ReasonPeerShutdown)
			}
			noDrops(t, "backup", lo.stop())
		})
	}
}

func TestNetnsPreemptOffAndStepDown(t *testing.T) {
	requireNetns(t)
	v := variants[0]
	l := newLAN(t, 2)
	lo := startHelper(t, l.nss[0], "node", nodeCfg(l, 0, 100, v))
	lo.wait("event", "master", 5*time.Second)
	hiCfg := nodeCfg(l, 1, 200, v)
	hiCfg.Preempt = false
	hi := startHelper(t, l.nss[1], "node", hiCfg)
	hi.wait("event", "backup", 5*time.Second)
	hi.quiet(6 * netnsInterval) // preemption off: the lower master stays
	if s := lo.stats(); s.State != Master {
		t.Fatalf("lower-priority master lost mastership: %v", s.State)
	}
	// Manual failover: the master steps down, the backup takes over after
	// Skew_Time, and the stepped-down node does not take it back.
	lo.signal(sigStepDown)
	if e := hi.wait("event", "master", 5*time.Second); e.Reason != string(ReasonPeerShutdown) {
		t.Errorf("takeover after step-down: reason %q", e.Reason)
	}
	if e := lo.wait("event", "backup", 5*time.Second); e.Reason != string(ReasonStepDown) {
		t.Errorf("step-down reason %q", e.Reason)
	}
	lo.quiet(6 * netnsInterval)
}

// TestNetnsEqualPriorities: with equal priorities a Backup accepts the
// Master (priority >= its own), so the tie-break matters when two Masters
// meet, as after a split brain. Both start cut off, become Master, and
// when the segment heals the lower primary address steps down.
func TestNetnsEqualPriorities(t *testing.T) {
	requireNetns(t)
	for _, v := range []variant{variants[0], variants[2]} {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			l := newLAN(t, 2)
			l.port(0, "down")
			a := startHelper(t, l.nss[0], "node", nodeCfg(l, 0, 100, v))
			b := startHelper(t, l.nss[1], "node", nodeCfg(l, 1, 100, v))
			a.wait("event", "master", 5*time.Second)
			b.wait("event", "master", 5*time.Second)
			winner, loser := a, b
			if l.primary(1, v).Compare(l.primary(0, v)) > 0 {
				winner, loser = b, a
			}
			l.port(0, "up")
			if e := loser.wait("event", "backup", 5*time.Second); e.Reason != string(ReasonPreempted) {
				t.Errorf("tie-break reason %q, want %q", e.Reason, ReasonPreempted)
			}
			winner.quiet(6 * netnsInterval)
			loser.quiet(6 * netnsInterval)
		})
	}
}

// port sets member i's bridge port up or down: a cable pulled or plugged.
func (l *lan) port(i int, updown string) {
	run(l.t, "ip", "-n", l.hub, "link", "set", fmt.Sprintf("p%d", i), updown)
}

// primary is the address member i's node sends from.
func (l *lan) primary(i int, v variant) netip.Addr {
	if v.v6 {
		return l.linkLocal(i)
	}
	return l.addr4(i)
}

// TestNetnsTrackInterface: the master tracks a link in its namespace; when
// the link goes down its priority drops below the backup's, which preempts;
// when it comes back the master preempts in turn.
func TestNetnsTrackInterface(t *testing.T) {
	requireNetns(t)
	v := variants[0]
	l := newLAN(t, 2)
	run(t, "ip", "-n", l.nss[0], "link", "add", "up0", "type", "veth", "peer", "name", "up1")
	run(t, "ip", "-n", l.nss[0], "link", "set", "up0", "up")
	run(t, "ip", "-n", l.nss[0], "link", "set", "up1", "up")
	cfg := nodeCfg(l, 0, 200, v)
	cfg.TrackInterfaces = []TrackInterface{{Name: "up0", Penalty: 150}}
	a := startHelper(t, l.nss[0], "node", cfg)
	a.wait("event", "master", 5*time.Second)
	b := startHelper(t, l.nss[1], "node", nodeCfg(l, 1, 100, v))
	b.wait("event", "backup", 5*time.Second)

	run(t, "ip", "-n", l.nss[0], "link", "set", "up0", "down")
	b.wait("event", "master", 5*time.Second)
	if e := a.wait("event", "backup", 5*time.Second); e.Reason != string(ReasonPreempted) {
		t.Errorf("tracked link down: reason %q", e.Reason)
	}
	if s := a.stats(); s.Priority != 50 {
		t.Errorf("priority with the tracked link down: %d, want 50", s.Priority)
	}
	run(t, "ip", "-n", l.nss[0], "link", "set", "up0", "up")
	a.wait("event", "master", 5*time.Second)
	b.wait("event", "backup", 5*time.Second)
}
