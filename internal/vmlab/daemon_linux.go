//go:build linux

package vmlab

import (
	"fmt"
	"syscall"
	"testing"
	"time"
)

// StopWait is how long Daemon.Stop waits for the daemon to exit.
const StopWait = 15 * time.Second

// Daemon is `seesaw-reconcile run` in a lab namespace, which a test stops
// and starts again; the output of every run is kept. Fill in the fields
// before the first Start.
type Daemon struct {
	NS        string // the network namespace it runs in
	ConfigDir string // --config-dir
	Socket    string // --control-socket
	StateDir  string // --state-dir; "" leaves the daemon's default

	proc *Proc
	logs string // the output of the runs before proc's
}

// Start runs the daemon in its namespace, with its metrics listener off;
// the process is killed when t ends (Start of Proc).
func (d *Daemon) Start(t testing.TB) {
	t.Helper()
	if d.proc != nil {
		d.logs += d.proc.Output() + "--- restarted ---\n"
	}
	args := []string{"seesaw-reconcile", "run", "--config-dir", d.ConfigDir, "--control-socket", d.Socket}
	if d.StateDir != "" {
		args = append(args, "--state-dir", d.StateDir)
	}
	d.proc = Start(t, d.NS, nil, append(args, "--metrics-address", "off")...)
}

// Running reports whether the daemon has been started and has not exited.
func (d *Daemon) Running() bool { return d.proc != nil && d.proc.Running() }

// Stop sends sig to the daemon and waits up to StopWait for it to exit;
// it reports false if the daemon is still running then. A daemon that is
// not running is stopped already.
func (d *Daemon) Stop(sig syscall.Signal) bool {
	if !d.Running() {
		return true
	}
	d.proc.Signal(sig)
	return d.proc.Wait(StopWait)
}

// Log returns the output of every run so far, oldest first, each restart
// marked by a line "--- restarted ---".
func (d *Daemon) Log() string {
	if d.proc == nil {
		return d.logs
	}
	return d.logs + d.proc.Output()
}

// NodeYAML renders the node.yaml of a lab load balancer named name: eth0
// as its interface, its VIPs within the prefix scope, a resync every 5 s,
// and then extra, the suite's own node keys (each line indented by two
// spaces, ending with a newline).
func NodeYAML(name, scope, extra string) string {
	return fmt.Sprintf("node:\n  name: %s\n  interface: eth0\n  scope: {prefixes: [%s]}\n  resync_interval: 5s\n%s", name, scope, extra)
}
