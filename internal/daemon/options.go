package daemon

import (
	"log/slog"
	"time"
)

// Options configure the daemon. The zero value of each field has the
// meaning its comment gives.
type Options struct {
	// ConfigDir is the configuration directory to watch.
	ConfigDir string
	// StateDir is where the daemon keeps what must survive a restart (the
	// manual drains); empty: DefaultStateDir. The config directory is only
	// read, so it may be read-only.
	StateDir string
	// Resync is the full re-read interval when node.resync_interval is
	// unset (0: no periodic re-read).
	Resync time.Duration
	// AllowMassDelete applies plans even if they delete most owned services.
	AllowMassDelete bool
	// Backup runs the node as backup (no VIPs) when the config has no vrrp
	// section; with one, the virtual router decides.
	Backup bool
	// ControlSocket is the control socket's path; empty: node.control_socket
	// of the first valid config, else DefaultControlSocket.
	ControlSocket string
	// ControlGroup is a group (name or id) whose members may use the
	// control socket, state-changing commands included; the socket is then
	// mode 0660 and owned by the group. Empty: mode 0600, root and the
	// daemon's user only.
	ControlGroup string
	// MetricsAddress is the address:port of /metrics and the status page;
	// empty: node.metrics_address of the first valid config, else
	// desired.DefaultMetricsAddress; "off" disables the listener.
	MetricsAddress string
	// Log receives every log line of the daemon; nil: slog.Default().
	Log *slog.Logger
}
