package reconcile

import (
	"net/netip"
	"time"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
)

// Inputs are everything one planning round depends on, as plain values.
type Inputs struct {
	Config desired.Config
	Health Health
	// Master is the VRRP mastership: the node holds the addresses of every
	// instance, except those Instances names.
	Master bool
	// Instances is the mastership of single VRRP instances by name (a
	// node with several); an instance not in it follows Master.
	Instances map[string]bool
	// States are the watermark states of the previous round (nil at start).
	States ServiceStates
	// Draining are the drain deadlines of the previous round (nil at start).
	Draining Draining
	// Now is the time the round runs at (drain deadlines).
	Now time.Time
	// AllowMassDelete overrides the mass-delete guard (--allow-mass-delete).
	AllowMassDelete bool
}

// BackendKey names one backend of one configured service, as health checks
// see it: the service name and the backend's configured address and port
// (port 0 when the backend takes each service port).
type BackendKey struct {
	Service string
	Backend netip.AddrPort
}

// Health is the latest check verdict per backend: true healthy, false
// unhealthy. A backend that is absent is unknown: it counts as healthy when
// its service has no checks or every check starts up (initial_up), and as
// unhealthy otherwise. The daemon maps the checks engine's events into it.
type Health map[BackendKey]bool

// ServiceStates is the watermark state of each configured service by name:
// true up, false down. Absent means "no previous state": the service starts
// up when its healthy share is at or above its low watermark.
type ServiceStates map[string]bool

// DrainKey names one destination of one IPVS service.
type DrainKey struct {
	Service     kernel.ServiceKey
	Destination kernel.DestinationKey
}

// Draining holds the destinations that left the config and are kept at
// weight 0 until their deadline or until they have no connections.
type Draining map[DrainKey]time.Time
