package reconcile

// Reason says why a destination has its weight, or why it is deleted.
type Reason uint8

// The reasons, rendered by String.
const (
	ReasonNone         Reason = iota // no reason recorded
	ReasonHealthy                    // enabled and healthy: configured weight
	ReasonDisabled                   // enabled: false in config
	ReasonUnhealthy                  // checks say unhealthy
	ReasonServiceDown                // below the low watermark
	ReasonDraining                   // removed from config, draining at weight 0
	ReasonNotInConfig                // not named by the config: deleted
	ReasonCheck                      // the only destination of a check service: weight 1 always
	ReasonFallback                   // a fallback in use: the service has no backend with traffic
	ReasonFallbackIdle               // a fallback not in use: at weight 0 (idle: keep), or draining, then deleted
	ReasonReorder                    // deleted to be re-added in the canonical list order (dh, sh, mh)
)

// String returns "healthy", "disabled", "unhealthy", "service down",
// "draining", "not in config", "check", "fallback", "fallback idle",
// "reorder" (or "" for ReasonNone).
func (r Reason) String() string {
	switch r {
	case ReasonHealthy:
		return "healthy"
	case ReasonDisabled:
		return "disabled"
	case ReasonUnhealthy:
		return "unhealthy"
	case ReasonServiceDown:
		return "service down"
	case ReasonDraining:
		return "draining"
	case ReasonNotInConfig:
		return "not in config"
	case ReasonCheck:
		return "check"
	case ReasonFallback:
		return "fallback"
	case ReasonFallbackIdle:
		return "fallback idle"
	case ReasonReorder:
		return "reorder"
	}
	return ""
}

// MarshalText renders the reason for JSON.
func (r Reason) MarshalText() ([]byte, error) { return []byte(r.String()), nil }
