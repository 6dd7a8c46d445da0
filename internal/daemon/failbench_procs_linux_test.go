package daemon

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/kapeer"
)

// benchDaemon starts the test binary as a daemon in ns with the files,
// the daemon's GC policy and gctrace on.
func benchDaemon(t *testing.T, ns, name string, files map[string]string) *nsProc {
	dir := writeConfig(t, files)
	p := &nsProc{name: name, dir: dir, socket: filepath.Join(t.TempDir(), "ctl.sock")}
	p.cmd = exec.Command("ip", "netns", "exec", ns, os.Args[0], "-test.run=^$")
	p.cmd.Env = append(os.Environ(), childFakeEnv+"=1", childGCPolicyEnv+"=1", "GODEBUG=gctrace=1",
		childArgsEnv+"="+strings.Join([]string{"--config-dir", dir, "--control-socket", p.socket, "--metrics-address", "off"}, "\x1f"))
	p.start(t)
	return p
}

// failNode is the node file of a benchmark daemon: eth0, 100 ms adverts
// at priority prio, no preemption; prio 0 leaves VRRP out (the load
// process beside keepalived).
func failNode(name string, prio int) string {
	if prio == 0 {
		return fmt.Sprintf("node: {name: %s, interface: eth0, scope: {prefixes: [192.0.2.0/24]}}\n", name)
	}
	return netnsNode(name, 52, fmt.Sprintf("priority: %d, preempt: false", prio))
}

// benchKeepalived starts keepalived's VRRP subsystem in ns at priority
// prio with the benchmark's settings: VRID 52, 100 ms adverts, no
// preemption.
func benchKeepalived(t *testing.T, ns, name string, prio int) *nsProc {
	return startKeepalived(t, ns, name, kapeer.Peer{RouterID: name, Instances: []kapeer.Instance{
		{Name: "52", VRID: 52, Priority: prio, Advert: 100 * time.Millisecond, NoPreempt: true, VIPs: []string{"192.0.2.200/32"}},
	}})
}
