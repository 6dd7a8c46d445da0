package reconcile

import (
	"net/netip"

	"github.com/seesaw-lb/seesaw/kernel"
)

// Role says why a target IPVS service exists.
type Role uint8

// Roles of target services: a configured service, or a check service (one
// fwmark service per backend for dsr/tunnel checks).
const (
	RoleService Role = iota // a configured service (one VIP x port, or an fwmark)
	RoleCheck               // a per-backend check service
)

// Target is the state the node should have: the IPVS services with their
// destinations, sorted by key, and the VIP addresses this node holds.
type Target struct {
	Services  []TargetService
	Addresses []Address
	// Status reports each configured service's watermark position, by name order.
	Status []ServiceStatus
	// CheckMarks are the fwmarks of the check services (dsr/tunnel checks),
	// sorted by path; CheckDialOf turns them into what a checker dials.
	CheckMarks CheckMarks
}

// TargetService is one IPVS service of the target.
type TargetService struct {
	Key    kernel.ServiceKey
	Config kernel.ServiceConfig
	// Name is the configured service it comes from.
	Name string
	Role Role
	// Destinations are sorted by key.
	Destinations []TargetDestination
	// DrainTimeout-driven removal and explicit removal (on_unhealthy: remove)
	// are told apart here: Removed destinations are deleted at once, never drained.
	Removed []kernel.DestinationKey
	// Idle are the fallbacks not in use (idle: drain): left out of
	// Destinations, so a live one drains like a removed backend, with the
	// reason "fallback idle".
	Idle []kernel.DestinationKey
}

// TargetDestination is one destination of a target service.
type TargetDestination struct {
	Key    kernel.DestinationKey
	Config kernel.DestinationConfig
	// Reason says why the weight is what it is: "healthy", "disabled",
	// "unhealthy", "service down", "draining".
	Reason Reason
}

// Address is one VIP this node holds on an interface while master.
type Address struct {
	Interface string
	Prefix    netip.Prefix // host length: /32 or /128
}

// ServiceStatus is the watermark position of one configured service.
type ServiceStatus struct {
	Name    string
	Up      bool
	Healthy int // enabled backends that are healthy
	Enabled int // enabled backends
	// Fallback counts the fallbacks carrying traffic (the service has no
	// backend with traffic).
	Fallback int
}

// States returns the up/down state of every configured service, to be
// passed back to the next round (Inputs.States).
func (t Target) States() ServiceStates {
	s := make(ServiceStates, len(t.Status))
	for _, st := range t.Status {
		s[st.Name] = st.Up
	}
	return s
}
