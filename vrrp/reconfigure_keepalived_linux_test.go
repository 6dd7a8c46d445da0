package vrrp

import (
	"encoding/json"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// sigReconfigure makes a node helper apply the Config in the file named
// by SEESAW_VRRP_RECONF (Node.Reconfigure); it then emits "reconfigured".
const sigReconfigure = syscall.SIGHUP

func helperReconfigure(n *Node) {
	b, err := os.ReadFile(os.Getenv("SEESAW_VRRP_RECONF"))
	if err != nil {
		fail(err)
	}
	var cfg Config
	if err := json.Unmarshal(b, &cfg); err != nil {
		fail(err)
	}
	if err := n.Reconfigure(cfg); err != nil {
		fail(err)
	}
	emit(helperMsg{Kind: "reconfigured"})
}

// TestNetnsKeepalivedReconfigure: a seesaw master beside a keepalived
// backup is reconfigured live. A lower priority still above keepalived's
// and preempt turned off change no state on either side; a priority below
// keepalived's is announced at once and keepalived (preempting) takes
// over; the old priority back with preempt on, seesaw takes over again.
// keepalived never sees an invalid packet.
func TestNetnsKeepalivedReconfigure(t *testing.T) {
	requireKeepalived(t)
	for _, v := range variants[:2] {
		t.Run(v.name, func(t *testing.T) {
			l := newLAN(t, 2)
			ssCfg, kaCfg := nodeCfg(l, 0, 200, v), nodeCfg(l, 1, 100, v)
			file := filepath.Join(t.TempDir(), "reconf.json")
			reconf := func(ss *proc, prio uint8, preempt bool) {
				t.Helper()
				c := ssCfg
				c.Priority, c.Preempt = prio, preempt
				b, _ := json.Marshal(c)
				if err := os.WriteFile(file, b, 0o600); err != nil {
					t.Fatal(err)
				}
				ss.signal(sigReconfigure)
				ss.wait("reconfigured", "", 5*time.Second)
			}
			ss := startHelper(t, l.nss[0], "node", ssCfg, "SEESAW_VRRP_RECONF="+file)
			ss.wait("event", "master", 5*time.Second)
			ka := startKeepalived(t, l.nss[1], kaCfg, l.primary(1, v))
			ka.waitState("BACKUP", 5*time.Second)

			reconf(ss, 150, false)
			ka.quiet(6 * netnsInterval)
			ss.quiet(netnsInterval)

			reconf(ss, 50, false)
			ka.waitState("MASTER", 5*time.Second)
			if e := ss.wait("event", "backup", 5*time.Second); e.Reason != string(ReasonPreempted) {
				t.Errorf("keepalived preempting after a lower priority: reason %q", e.Reason)
			}

			reconf(ss, 200, true)
			if e := ss.wait("event", "master", 5*time.Second); e.Reason != string(ReasonPreempt) {
				t.Errorf("seesaw preempting after a higher priority: reason %q", e.Reason)
			}
			ka.waitState("BACKUP", 5*time.Second)
			noDrops(t, "seesaw", ss.stop())
			ka.stop()
			ka.noInvalid()
		})
	}
}
