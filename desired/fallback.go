package desired

// Fallback is a sorry server of a service (keepalived's sorry_server,
// HAProxy's backup server): a destination that gets traffic only while no
// backend of the service does, because the service is down by its
// watermarks or no enabled backend is healthy. It is written with the keys
// of a backend, plus Idle and its own Checks.
type Fallback struct {
	Backend
	// Idle is what happens to the fallback's destination while the service
	// has backends with traffic again.
	Idle FallbackIdle
	// Checks decide whether the fallback may be used; none (the default)
	// means it is always assumed healthy, as keepalived's sorry_server is.
	// Only plain checks (the fallback's own address): a fallback has no
	// check service.
	Checks []Check
}

// FallbackIdle is the policy for a fallback while its service is served by
// its backends.
type FallbackIdle string

// The idle policies.
const (
	// IdleDrain sets the fallback's weight to 0 when the service recovers,
	// keeps it for the service's drain_timeout (or until it has no
	// connections) so established sessions finish, then deletes it.
	IdleDrain FallbackIdle = "drain"
	// IdleKeep keeps the fallback in the IPVS service at weight 0
	// (keepalived's sorry_server_inhibit).
	IdleKeep FallbackIdle = "keep"
)

// DefaultFallbackIdle is the idle policy when `idle` is not written.
const DefaultFallbackIdle = IdleDrain
