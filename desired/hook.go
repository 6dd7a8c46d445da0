package desired

import (
	"slices"
	"time"
)

// HookEvent names what a notify hook runs on.
type HookEvent string

// The events a hook can run on: the VRRP states a virtual router enters
// (keepalived's notify_master, notify_backup, notify_fault, notify_stop)
// and a service crossing its watermarks.
const (
	HookMaster      HookEvent = "master"       // the router became master
	HookBackup      HookEvent = "backup"       // the router became backup
	HookFault       HookEvent = "fault"        // the router's interface lost its link
	HookStop        HookEvent = "stop"         // the router stopped (daemon exit, router replaced)
	HookServiceUp   HookEvent = "service_up"   // a service climbed over its high watermark
	HookServiceDown HookEvent = "service_down" // a service fell below its low watermark
)

// HookEvents are every event, in the order docs/configuration.md lists them.
var HookEvents = []HookEvent{HookMaster, HookBackup, HookFault, HookStop, HookServiceUp, HookServiceDown}

// Hook defaults and limits.
const (
	DefaultHookTimeout = 10 * time.Second
	MinHookTimeout     = 100 * time.Millisecond
	MaxHookTimeout     = 5 * time.Minute
	maxHookName        = 64
)

// Hook is one entry of `node.notify`: a program the daemon runs, without a
// shell, on each of the events On, with the event in its environment.
type Hook struct {
	// Name identifies the hook in logs and metrics (letters, digits, '_', '-', '.').
	Name string
	// On are the events the hook runs on, each once, in the order written.
	On []HookEvent
	// Run is the argv: Run[0] an absolute path, the rest its arguments.
	Run []string
	// Services, when set, limit the service events to these services
	// (VRRP events are not filtered).
	Services []string
	// Instances, when set, limit the VRRP events to these VRRP instances
	// (service events are not filtered), as keepalived runs a
	// vrrp_instance's notify scripts for that instance alone.
	Instances []string
	// Timeout bounds one run; then the process group gets SIGTERM, and
	// SIGKILL after a grace period.
	Timeout time.Duration
	// Source is where the entry was written.
	Source Source
}

// Wants reports whether the hook runs on ev.
func (h Hook) Wants(ev HookEvent) bool { return slices.Contains(h.On, ev) }

// wantsVRRP reports whether the hook runs on any VRRP event.
func (h Hook) wantsVRRP() bool {
	return h.Wants(HookMaster) || h.Wants(HookBackup) || h.Wants(HookFault) || h.Wants(HookStop)
}

// Equal reports whether two hooks are the same in every setting but Source.
func (h Hook) Equal(o Hook) bool {
	return h.Name == o.Name && slices.Equal(h.On, o.On) && slices.Equal(h.Run, o.Run) && slices.Equal(h.Services, o.Services) &&
		slices.Equal(h.Instances, o.Instances) && h.Timeout == o.Timeout
}
