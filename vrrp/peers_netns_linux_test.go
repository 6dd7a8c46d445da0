package vrrp

import (
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// drainAdverts returns the kernel receive times of the adverts an
// observer helper has reported so far.
func drainAdverts(p *proc) []int64 {
	var got []int64
	for {
		select {
		case m := <-p.msgs:
			if m.Kind == "error" {
				p.t.Fatalf("%s: %s", p.name, m.Err)
			}
			if m.Kind == "advert" {
				got = append(got, m.Mono)
			}
		default:
			return got
		}
	}
}

// TestNetnsPeersReconfigure: a Master with unicast peer A, on each send
// path (the advert sender process, the timing thread, the runtime's
// timer, kernel-timed SO_TXTIME), is reconfigured to peer B. B hears
// the adverts within two intervals of the reload, and from then on at
// the interval; A hears none after the reload returned; the first advert
// to B follows the last to A by about one interval (no gap, no
// duplicate); the Master stays Master without a send error.
func TestNetnsPeersReconfigure(t *testing.T) {
	requireNetns(t)
	for _, c := range []struct {
		name, sender string
		kernel       bool
	}{
		{"process", TimingProcess, false},
		{"thread", TimingThread, false},
		{"runtime", TimingRuntime, false},
		{"kernel", "", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := newLAN(t, 3)
			cfg := nodeCfg(l, 0, 200, variants[0])
			cfg.AdvertSender, cfg.KernelTimedAdverts = c.sender, c.kernel
			cfg.Peers = []netip.Addr{l.addr4(1)}
			file := filepath.Join(t.TempDir(), "reconf.json")
			env := []string{"SEESAW_VRRP_RECONF=" + file}
			if c.kernel {
				env = append(env, "SEESAW_VRRP_TXTIME=any-qdisc")
			}
			a := startHelper(t, l.nss[1], "observe", nodeCfg(l, 1, 1, variants[0]))
			b := startHelper(t, l.nss[2], "observe", nodeCfg(l, 2, 1, variants[0]))
			m := startHelper(t, l.nss[0], "node", cfg, env...)
			m.wait("event", "master", 5*time.Second)
			a.wait("advert", "", 5*netnsInterval)
			time.Sleep(2 * netnsInterval)
			if st := m.stats(); st.AdvertTiming != timingFor(c.sender, c.kernel) {
				t.Fatalf("master times adverts on %q, want %q", st.AdvertTiming, timingFor(c.sender, c.kernel))
			}

			nc := cfg
			nc.Peers = []netip.Addr{l.addr4(2)}
			js, _ := json.Marshal(nc)
			if err := os.WriteFile(file, js, 0o600); err != nil {
				t.Fatal(err)
			}
			before := time.Now().UnixNano()
			m.signal(sigReconfigure)
			m.wait("reconfigured", "", 5*time.Second)
			after := time.Now().UnixNano()
			time.Sleep(5 * netnsInterval)
			toA, toB := drainAdverts(a), drainAdverts(b)

			iv := int64(netnsInterval)
			if len(toA) == 0 || len(toB) < 4 {
				t.Fatalf("A heard %d adverts, B %d after the reload; want some and at least 4", len(toA), len(toB))
			}
			lastA := toA[len(toA)-1]
			if lastA > after {
				t.Errorf("A heard an advert %v after the reload returned", time.Duration(lastA-after))
			}
			if toB[0] < before {
				t.Errorf("B heard an advert %v before the reload", time.Duration(before-toB[0]))
			}
			if d := toB[0] - before; d > 2*iv {
				t.Errorf("B's first advert came %v after the reload began, want within two intervals", time.Duration(d))
			}
			prev := lastA
			for i, at := range toB {
				if d := at - prev; d < iv/2 || d > iv*3/2 {
					t.Errorf("advert %d to B came %v after the previous advert, want about %v", i, time.Duration(d), netnsInterval)
				}
				prev = at
			}
			st := m.stop()
			if st.SendErrors != 0 {
				t.Errorf("master counted %d send errors", st.SendErrors)
			}
			noDrops(t, "master", st)
		})
	}
}

// timingFor is the send path a Config with AdvertSender sender and
// KernelTimedAdverts kernel uses on a namespace's veth.
func timingFor(sender string, kernel bool) string {
	switch {
	case kernel:
		return TimingKernel
	case sender == "":
		return DefaultAdvertSender
	}
	return sender
}

// TestNetnsPeersReconfigureIPv6: the same over IPv6 link-local unicast
// (the checksum covers the destination, so each advert is encoded per
// peer), with seesaw backups as the peers, on the sender process and the
// timing thread. Backup A, the Master's peer, takes over once the Master
// is reconfigured to peer B, as it hears nothing more; B, started after
// the reload, stays Backup and drops nothing.
func TestNetnsPeersReconfigureIPv6(t *testing.T) {
	requireNetns(t)
	v := variants[3]
	for _, sender := range []string{TimingProcess, TimingThread} {
		t.Run(sender, func(t *testing.T) {
			l := newLAN(t, 3)
			cfg := nodeCfg(l, 0, 200, v)
			cfg.AdvertSender = sender
			cfg.Peers = []netip.Addr{l.linkLocal(1)}
			file := filepath.Join(t.TempDir(), "reconf.json")
			m := startHelper(t, l.nss[0], "node", cfg, "SEESAW_VRRP_RECONF="+file)
			m.wait("event", "master", 5*time.Second)
			a := startHelper(t, l.nss[1], "node", nodeCfg(l, 1, 50, v))
			a.wait("event", "backup", 5*time.Second)
			a.quiet(5 * netnsInterval)

			nc := cfg
			nc.Peers = []netip.Addr{l.linkLocal(2)}
			js, _ := json.Marshal(nc)
			if err := os.WriteFile(file, js, 0o600); err != nil {
				t.Fatal(err)
			}
			m.signal(sigReconfigure)
			m.wait("reconfigured", "", 5*time.Second)
			b := startHelper(t, l.nss[2], "node", nodeCfg(l, 2, 100, v))
			b.wait("event", "backup", 5*time.Second)
			if e := a.wait("event", "master", 10*netnsInterval); e.Reason != string(ReasonMasterDown) {
				t.Errorf("A took over with reason %q, want %q", e.Reason, ReasonMasterDown)
			}
			b.quiet(6 * netnsInterval)
			if st := m.stats(); st.State != Master || st.SendErrors != 0 || st.AdvertTiming != sender {
				t.Errorf("master: state %v, %d send errors, timing %q; want Master, 0, %q", st.State, st.SendErrors, st.AdvertTiming, sender)
			}
			noDrops(t, "B", b.stop())
		})
	}
}
