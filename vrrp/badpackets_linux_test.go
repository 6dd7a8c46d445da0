package vrrp

import (
	"testing"
	"time"
)

// TestNetnsBadPackets injects broken priority-255 adverts from a third
// namespace. Each must be dropped and counted by both nodes without a state
// change; a final valid one proves the injection path reaches them.
func TestNetnsBadPackets(t *testing.T) {
	requireNetns(t)
	for _, v := range []variant{variants[0], variants[2]} {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			l := newLAN(t, 3)
			hi := startHelper(t, l.nss[0], "node", nodeCfg(l, 0, 200, v))
			hi.wait("event", "master", 5*time.Second)
			lo := startHelper(t, l.nss[1], "node", nodeCfg(l, 1, 100, v))
			lo.wait("event", "backup", 5*time.Second)

			cases := map[string]DropReason{
				"checksum": DropChecksum, "ttl": DropTTL, "version": DropVersion,
				"vrid": DropVRID, "truncated": DropTruncated, "count": DropAddrCount,
			}
			in := injectArg{Cfg: nodeCfg(l, 2, 255, v), TTL: 64}
			for how := range cases {
				in.Cases = append(in.Cases, how)
			}
			startHelper(t, l.nss[2], "inject", in) // returns once all are sent
			for who, p := range map[string]*proc{"master": hi, "backup": lo} {
				s := waitDrops(t, p, len(cases))
				for how, r := range cases {
					if s.Drops[r.String()] != 1 {
						t.Errorf("%s: %q packet: drops %v, want one %q", who, how, s.Drops, r)
					}
				}
			}
			hi.quiet(4 * netnsInterval)
			lo.quiet(0)

			// Positive control: the same injector's valid advert is obeyed.
			in.Cases = []string{"valid"}
			startHelper(t, l.nss[2], "inject", in) // returns once all are sent
			if e := hi.wait("event", "backup", 5*time.Second); e.Reason != string(ReasonPreempted) {
				t.Errorf("valid injected advert: reason %q", e.Reason)
			}
		})
	}
}

// waitDrops polls a node's stats until it has counted n drops (bounded).
func waitDrops(t *testing.T, p *proc, n int) Stats {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		s := p.stats()
		var sum uint64
		for _, d := range s.Drops {
			sum += d
		}
		if sum >= uint64(n) || time.Now().After(deadline) {
			return s
		}
		time.Sleep(50 * time.Millisecond)
	}
}
