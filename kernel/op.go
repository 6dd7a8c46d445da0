package kernel

import "fmt"

// OpKind says what an Op does.
type OpKind uint8

// Operation kinds. Plans order them: add services, add/update destinations,
// delete destinations, delete services.
const (
	AddService OpKind = iota + 1
	UpdateService
	DeleteService
	AddDestination
	UpdateDestination
	DeleteDestination
)

// String returns "add service", "update destination", ...
func (k OpKind) String() string {
	switch k {
	case AddService:
		return "add service"
	case UpdateService:
		return "update service"
	case DeleteService:
		return "delete service"
	case AddDestination:
		return "add destination"
	case UpdateDestination:
		return "update destination"
	case DeleteDestination:
		return "delete destination"
	}
	return fmt.Sprintf("op(%d)", uint8(k))
}

// Op is one operation of a plan. Service names the service for every kind;
// ServiceConfig is used by AddService and UpdateService; Destination and
// DestinationConfig by the destination kinds (DeleteDestination uses only the
// key).
type Op struct {
	Kind              OpKind
	Service           ServiceKey
	ServiceConfig     ServiceConfig
	Destination       DestinationKey
	DestinationConfig DestinationConfig
}

// String describes the op the way errors name it, e.g.
// "add destination 198.51.100.21:80 to service tcp/192.0.2.10:80".
func (o Op) String() string {
	switch o.Kind {
	case AddService, UpdateService, DeleteService:
		return o.Kind.String() + " " + o.Service.String()
	case AddDestination:
		return fmt.Sprintf("add destination %s to service %s", o.Destination, o.Service)
	case UpdateDestination:
		return fmt.Sprintf("update destination %s in service %s", o.Destination, o.Service)
	case DeleteDestination:
		return fmt.Sprintf("delete destination %s from service %s", o.Destination, o.Service)
	}
	return o.Kind.String()
}

// Result is the outcome of one Op. Err is nil when the kernel acknowledged
// it. Uncertain is true when the acknowledgement was lost (ENOBUFS, timeout,
// closed socket): the op may or may not have taken effect, so the caller must
// re-read the kernel; Err then wraps ErrUncertain.
type Result struct {
	Op        Op
	Err       error
	Uncertain bool
}
