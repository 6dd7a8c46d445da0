package anycasttest

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/daemon"
	"github.com/seesaw-lb/seesaw/internal/vmlab"
)

// nodeYAML renders lb i's node.yaml: its anycast VIPs on the dummy
// anycast0, one eBGP session to the router with a 3 s hold time, and a
// 2 s grace between withdrawing and exiting on SIGTERM.
func nodeYAML(i int) string {
	return vmlab.NodeYAML(fmt.Sprintf("lb%d", i+1), "192.0.2.0/24", fmt.Sprintf(`  bgp:
    asn: 4200000001
    router_id: %s
    interface: anycast0
    announce: [192.0.2.0/24]
    shutdown_grace: 2s
    peers:
      - {address: %s, asn: 65000, hold_time: 3s}
`, lbIP[i], routerIP))
}

// servicesYAML is the same on every node: the anycast VIP, mh, DR to the
// three backends, checked over TCP.
const servicesYAML = `services:
  - name: web
    vip: 192.0.2.10
    ports: [{proto: tcp, port: 80}]
    scheduler: mh
    forward: dr
    checks: [{type: tcp, interval: 1s, timeout: 500ms, rise: 1, fall: 2}]
    backends:
      - {address: 203.0.113.21}
      - {address: 203.0.113.22}
      - {address: 203.0.113.23}
`

// node is seesaw-reconcile on one load balancer.
type node struct {
	t      *testing.T
	i      int
	dir    string
	daemon *vmlab.Daemon
}

func newNode(t *testing.T, i int) *node {
	n := &node{t: t, i: i, dir: filepath.Join(t.TempDir(), fmt.Sprintf("lb%d", i+1))}
	must(t, os.MkdirAll(filepath.Join(n.dir, "conf"), 0o755))
	must(t, os.WriteFile(filepath.Join(n.dir, "conf", "node.yaml"), []byte(nodeYAML(i)), 0o644))
	must(t, os.WriteFile(filepath.Join(n.dir, "conf", "services.yaml"), []byte(servicesYAML), 0o644))
	n.daemon = &vmlab.Daemon{NS: lbNS[i], ConfigDir: filepath.Join(n.dir, "conf"), Socket: n.socket(), StateDir: filepath.Join(n.dir, "state")}
	return n
}

func (n *node) socket() string { return filepath.Join(n.dir, "ctl.sock") }

func (n *node) start()        { n.daemon.Start(n.t) }
func (n *node) running() bool { return n.daemon.Running() }
func (n *node) log() string   { return n.daemon.Log() }

// stop sends sig and waits up to 15 s for the exit; false: still running.
func (n *node) stop(sig syscall.Signal) bool { return n.daemon.Stop(sig) }

// client is the node's control socket client.
func (n *node) client() *daemon.Client { return daemon.NewClient(n.socket()) }

// undrain waits up to d for the control socket and undoes drain-node
// if the node is drained.
func (n *node) undrain(d time.Duration) error {
	for end := time.Now().Add(d); ; time.Sleep(200 * time.Millisecond) {
		st, err := n.client().Status()
		if err == nil {
			if st.BGP != nil && st.BGP.Drained {
				return n.client().UndrainNode()
			}
			return nil
		}
		if time.Now().After(end) {
			return fmt.Errorf("lb%d status: %w", n.i+1, err)
		}
	}
}
