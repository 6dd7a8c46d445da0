package main

import (
	"flag"
	"io"
	"log/slog"
	"time"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/internal/daemon"
	"github.com/seesaw-lb/seesaw/internal/gcpolicy"
)

// runDaemonCmd is `run`: the daemon until SIGTERM or SIGINT; SIGHUP reloads.
func runDaemonCmd(args []string, stdout, stderr io.Writer) int {
	gcpolicy.Apply()
	o, code, done := parseDaemonFlags(args, stdout, stderr)
	if done {
		return code
	}
	if err := daemon.RunWithSignals(o); err != nil {
		return exitFailure
	}
	return exitOK
}

// parseDaemonFlags maps the flags of run onto the daemon's options, with a
// logger on stderr in the --log-format asked for.
func parseDaemonFlags(args []string, stdout, stderr io.Writer) (o daemon.Options, code int, done bool) {
	var logFormat string
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.StringVar(&o.ConfigDir, "config-dir", defaultConfigDir, "configuration `directory` to watch")
	fs.StringVar(&o.StateDir, "state-dir", daemon.DefaultStateDir, "state `directory`: manual drains (systemd StateDirectory=seesaw)")
	fs.DurationVar(&o.Resync, "resync", 30*time.Second, "full re-read interval when node.resync_interval is unset")
	fs.BoolVar(&o.AllowMassDelete, "allow-mass-delete", false, "apply plans even if they delete most owned services")
	fs.StringVar(&logFormat, "log-format", "text", "log format: text or json (journald)")
	fs.BoolVar(&o.Backup, "backup", false, "without a vrrp section: run as backup (hold no VIPs), for tests")
	fs.StringVar(&o.MetricsAddress, "metrics-address", "", "metrics `address:port` (default: node.metrics_address, else "+desired.DefaultMetricsAddress.String()+"); \"off\" disables")
	fs.StringVar(&o.ControlSocket, "control-socket", "", "control socket `path` (default: node.control_socket, else "+daemon.DefaultControlSocket+")")
	fs.StringVar(&o.ControlGroup, "control-group", "", "`group` whose members may use the control socket, drain and failover included (socket mode 0660); default: root only (0600)")
	if code, done := parseFlags(fs, args, stdout, stderr, "run [flags]",
		"Watch the configuration directory and keep the kernel equal to it."); done {
		return o, code, true
	}
	o.Log = newLogger(logFormat, stderr)
	return o, exitOK, false
}

// newLogger returns a text logger for terminals or a JSON one for journald.
func newLogger(format string, w io.Writer) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}
