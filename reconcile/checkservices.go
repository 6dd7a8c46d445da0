package reconcile

import (
	"slices"

	"github.com/seesaw-lb/seesaw/kernel"
)

// checkSchedulerName is the scheduler of check services (one destination:
// any scheduler picks it; rr is the kernel's cheapest).
const checkSchedulerName = "rr"

// checkServiceName is the Name of check-service targets, shown in status.
func checkServiceName(p CheckPath) string { return "check " + p.Backend.String() }

// checkServices returns one IPVS fwmark service per assigned mark with the
// path's backend as its only destination at weight 1, whatever the
// backend's health: the check must reach an unhealthy backend to see it
// recover. Destination port 0: an fwmark service matches every port and
// DR/tunnel keep the port of the packet.
func checkServices(marks CheckMarks) []TargetService {
	out := make([]TargetService, 0, len(marks))
	for _, m := range marks {
		out = append(out, TargetService{
			Key:    kernel.NewFWMarkKey(m.Path.Family, m.Mark),
			Config: kernel.ServiceConfig{Scheduler: checkSchedulerName},
			Name:   checkServiceName(m.Path),
			Role:   RoleCheck,
			Destinations: []TargetDestination{{
				Key:    kernel.NewDestinationKey(m.Path.Backend, 0),
				Config: m.Path.Dest,
				Reason: ReasonCheck,
			}},
		})
	}
	return out
}

// withCheckServices adds the check services of marks to t, keeping
// t.Services sorted by key, and records the marks in t.CheckMarks.
func withCheckServices(t Target, marks CheckMarks) Target {
	t.CheckMarks = marks
	if len(marks) == 0 {
		return t
	}
	svcs := append(slices.Clip(t.Services), checkServices(marks)...)
	slices.SortFunc(svcs, func(a, b TargetService) int { return kernel.CompareServiceKeys(a.Key, b.Key) })
	t.Services = svcs
	return t
}
