package vrrp

import (
	"testing"
	"time"
)

// TestNetnsKeepalived runs a seesaw node against Debian's keepalived
// (vrrp_version 3, 100 ms adverts): each side wins the election, takes over
// from the other after a crash and after a graceful stop, and neither
// rejects a packet of the other. For unicast, keepalived is configured with
// unicast_ttl 255: its IPv6 unicast default hop limit is 64, which RFC 9568
// 7.1 (and so seesaw) rejects.
func TestNetnsKeepalived(t *testing.T) {
	requireKeepalived(t)
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			l := newLAN(t, 2)
			t.Run("seesaw-master", func(t *testing.T) { seesawOverKeepalived(t, l, v) })
			t.Run("keepalived-master", func(t *testing.T) { keepalivedOverSeesaw(t, l, v) })
		})
	}
}

// seesawOverKeepalived: seesaw (200) in member 0, keepalived (100) in 1.
func seesawOverKeepalived(t *testing.T, l *lan, v variant) {
	ssCfg, kaCfg := nodeCfg(l, 0, 200, v), nodeCfg(l, 1, 100, v)
	ss := startHelper(t, l.nss[0], "node", ssCfg)
	ss.wait("event", "master", 5*time.Second)
	ka := startKeepalived(t, l.nss[1], kaCfg, l.primary(1, v))
	ka.waitState("BACKUP", 5*time.Second)
	ka.quiet(6 * netnsInterval)

	ss.kill()
	ka.waitState("MASTER", 5*time.Second)
	ss = startHelper(t, l.nss[0], "node", ssCfg)
	ss.wait("event", "master", 5*time.Second)
	ka.waitState("BACKUP", 5*time.Second)

	noDrops(t, "seesaw", ss.stop())
	ka.waitState("MASTER", 5*time.Second)
	ka.stop()
	ka.noInvalid()
}

// keepalivedOverSeesaw: keepalived (200) in member 0, seesaw (100) in 1.
func keepalivedOverSeesaw(t *testing.T, l *lan, v variant) {
	kaCfg, ssCfg := nodeCfg(l, 0, 200, v), nodeCfg(l, 1, 100, v)
	ka := startKeepalived(t, l.nss[0], kaCfg, l.primary(0, v))
	ka.waitState("MASTER", 5*time.Second)
	ss := startHelper(t, l.nss[1], "node", ssCfg)
	ss.wait("event", "backup", 5*time.Second)
	ss.quiet(6 * netnsInterval)

	ka.crash()
	if e := ss.wait("event", "master", 5*time.Second); e.Reason != string(ReasonMasterDown) {
		t.Errorf("takeover from crashed keepalived: reason %q", e.Reason)
	}
	ka2 := startKeepalived(t, l.nss[0], kaCfg, l.primary(0, v))
	ka2.waitState("MASTER", 5*time.Second)
	if e := ss.wait("event", "backup", 5*time.Second); e.Reason != string(ReasonPreempted) {
		t.Errorf("keepalived preempting: reason %q", e.Reason)
	}
	ka2.stop()
	if e := ss.wait("event", "master", 5*time.Second); e.Reason != string(ReasonPeerShutdown) {
		t.Errorf("takeover from stopped keepalived: reason %q", e.Reason)
	}
	noDrops(t, "seesaw", ss.stop())
	ka.noInvalid()
	ka2.noInvalid()
}

// TestNetnsKeepalivedIPv6UnicastHopLimit pins down the one interop rule:
// keepalived's IPv6 unicast adverts leave with the default hop limit unless
// unicast_ttl is set, and seesaw drops them (counted as "ttl") as RFC 9568
// 7.1 requires, so the two do not form a pair without unicast_ttl 255.
func TestNetnsKeepalivedIPv6UnicastHopLimit(t *testing.T) {
	requireKeepalived(t)
	v := variants[3]
	l := newLAN(t, 2)
	ka := startKeepalivedTTL(t, l.nss[0], nodeCfg(l, 0, 200, v), l.primary(0, v), 0)
	ka.waitState("MASTER", 5*time.Second)
	ss := startHelper(t, l.nss[1], "node", nodeCfg(l, 1, 100, v))
	ss.wait("event", "master", 5*time.Second) // it never hears keepalived
	if s := ss.stats(); s.Drops[DropTTL.String()] == 0 || s.Received != 0 {
		t.Fatalf("keepalived adverts with the default hop limit: drops %v, received %d", s.Drops, s.Received)
	}
}
