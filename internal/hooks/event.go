package hooks

import (
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Event is one thing that happened, as the hooks see it. Fields that do
// not apply to the kind of event are empty.
type Event struct {
	// Kind is the event name a hook's On lists: master, backup, fault,
	// stop, service_up or service_down.
	Kind string
	// Node is node.name.
	Node string
	// Instance is the VRRP instance the event concerns ("default" for the
	// single node.vrrp); empty on a node without VRRP.
	Instance string
	// State and PreviousState are the new and the former state: a VRRP
	// state (initialize, backup, master, fault, stop) or a service's (up, down).
	State, PreviousState string
	// Reason says why a VRRP state changed (master-down, link-down, ...).
	Reason string
	// Service is the service's name, for service events.
	Service string
	// VIPs are the addresses concerned: the instance's VIPs, or the service's.
	VIPs []netip.Addr
	// Time is when the event happened.
	Time time.Time
}

// defaultPath is the PATH a hook runs with: the environment is clean, so
// nothing of the daemon's own environment reaches the hook.
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// Env is the environment of a run of hook for ev with sequence number seq:
// PATH and the SEESAW_* variables, every one always set (empty when it
// does not apply), so a script under `set -u` can read them all.
func Env(hook string, ev Event, seq uint64) []string {
	vips := make([]string, len(ev.VIPs))
	for i, a := range ev.VIPs {
		vips[i] = a.String()
	}
	return []string{
		"PATH=" + defaultPath,
		"SEESAW_HOOK=" + hook,
		"SEESAW_EVENT=" + ev.Kind,
		"SEESAW_NODE=" + ev.Node,
		"SEESAW_INSTANCE=" + ev.Instance,
		"SEESAW_STATE=" + ev.State,
		"SEESAW_PREVIOUS_STATE=" + ev.PreviousState,
		"SEESAW_REASON=" + ev.Reason,
		"SEESAW_SERVICE=" + ev.Service,
		"SEESAW_VIPS=" + strings.Join(vips, " "),
		"SEESAW_TIME=" + ev.Time.UTC().Format(time.RFC3339Nano),
		"SEESAW_SEQ=" + strconv.FormatUint(seq, 10),
	}
}
