package reconcile

import (
	"cmp"
	"net/netip"
	"slices"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
)

// CheckPath identifies one check service: the family of the VIPs dialled
// through it, the backend, and how IPVS forwards to it (DR or tunnel with
// its encapsulation). Dest holds only the forwarding fields, weight 1.
type CheckPath struct {
	Family  kernel.Family
	Backend netip.Addr
	Dest    kernel.DestinationConfig
}

// CheckMark is the fwmark assigned to one check path.
type CheckMark struct {
	Path CheckPath
	Mark uint32
}

// CheckMarks are the assigned marks, sorted by path.
type CheckMarks []CheckMark

// Lookup returns the mark of path p.
func (m CheckMarks) Lookup(p CheckPath) (uint32, bool) {
	i, ok := slices.BinarySearchFunc(m, p, func(c CheckMark, p CheckPath) int { return compareCheckPaths(c.Path, p) })
	if !ok {
		return 0, false
	}
	return m[i].Mark, true
}

// compareCheckPaths orders paths by family, backend, then forwarding fields.
func compareCheckPaths(a, b CheckPath) int {
	return cmp.Or(cmp.Compare(a.Family, b.Family), a.Backend.Compare(b.Backend),
		cmp.Compare(a.Dest.Forward, b.Dest.Forward), cmp.Compare(a.Dest.TunnelType, b.Dest.TunnelType),
		cmp.Compare(a.Dest.TunnelPort, b.Dest.TunnelPort), cmp.Compare(a.Dest.TunnelFlags, b.Dest.TunnelFlags))
}

// checkPathOf returns the check path of backend b of service s. The family
// is the VIP's: the checker's packets are addressed to the VIP.
func checkPathOf(s *desired.Service, b *desired.Backend) CheckPath {
	return CheckPath{Family: serviceFamily(s), Backend: b.Address.Unmap(), Dest: pathDest(destinationConfig(s, b))}
}

// pathDest keeps only the forwarding fields of c that the kernel compares
// (tunnel fields for tunnels, the port for GUE) at weight 1.
func pathDest(c kernel.DestinationConfig) kernel.DestinationConfig {
	d := kernel.DestinationConfig{Forward: c.Forward, Weight: 1}
	if c.Forward == kernel.ForwardTunnel {
		d.TunnelType, d.TunnelFlags = c.TunnelType, c.TunnelFlags
		if c.TunnelType == kernel.TunnelGUE {
			d.TunnelPort = c.TunnelPort
		}
	}
	return d
}

func serviceFamily(s *desired.Service) kernel.Family {
	if s.IPv6 {
		return kernel.IPv6
	}
	return kernel.IPv4
}

// hasPathCheck reports whether s has a dsr or tunnel check.
func hasPathCheck(s *desired.Service) bool {
	for i := range s.Checks {
		if m := s.Checks[i].Mode; m == desired.ModeDSR || m == desired.ModeTunnel {
			return true
		}
	}
	return false
}

// neededCheckPaths lists, sorted and unique, the paths of every backend of
// a service with a dsr or tunnel check.
func neededCheckPaths(cfg desired.Config) []CheckPath {
	var out []CheckPath
	for i := range cfg.Services {
		s := &cfg.Services[i]
		if !hasPathCheck(s) {
			continue
		}
		for j := range s.Backends {
			out = append(out, checkPathOf(s, &s.Backends[j]))
		}
	}
	slices.SortFunc(out, compareCheckPaths)
	return slices.CompactFunc(out, func(a, b CheckPath) bool { return compareCheckPaths(a, b) == 0 })
}

// allocateCheckMarks assigns a mark of cfg.Node.CheckFwmarks to every check
// path the config needs. It is stable: a path keeps the mark of the live
// check service that already serves it (a fwmark service in the range with
// that backend as its only destination, forwarding as the path says), so
// reloads and restarts keep their marks. New paths, in path order, take
// the lowest mark no live service in the range uses, then the lowest mark
// left by a stale check service. Paths beyond the range get no mark
// (desired rejects such configs); the second result counts them.
func allocateCheckMarks(cfg desired.Config, live kernel.Snapshot) (CheckMarks, int) {
	r := cfg.Node.CheckFwmarks
	need := neededCheckPaths(cfg)
	if len(need) == 0 || r.IsZero() {
		return nil, len(need)
	}
	out := make(CheckMarks, 0, len(need))
	taken := map[uint32]bool{}    // marks assigned
	liveUsed := map[uint32]bool{} // marks of live services in the range
	assigned := make([]bool, len(need))
	for i := range live.Services {
		ls := &live.Services[i]
		if !ls.Key.IsFWMark() || !r.Contains(ls.Key.FWMark) {
			continue
		}
		liveUsed[ls.Key.FWMark] = true
		p, ok := livePath(ls)
		if !ok || taken[ls.Key.FWMark] {
			continue
		}
		if j, found := slices.BinarySearchFunc(need, p, compareCheckPaths); found && !assigned[j] {
			assigned[j], taken[ls.Key.FWMark] = true, true
			out = append(out, CheckMark{Path: p, Mark: ls.Key.FWMark})
		}
	}
	next := freeMarks(r, taken, liveUsed)
	missing := 0
	for j, p := range need {
		if assigned[j] {
			continue
		}
		m, ok := next()
		if !ok {
			missing++
			continue
		}
		out = append(out, CheckMark{Path: p, Mark: m})
	}
	slices.SortFunc(out, func(a, b CheckMark) int { return compareCheckPaths(a.Path, b.Path) })
	return out, missing
}

// livePath returns the check path a live fwmark service serves: exactly
// one destination, forwarded by DR or tunnel.
func livePath(ls *kernel.Service) (CheckPath, bool) {
	if len(ls.Destinations) != 1 {
		return CheckPath{}, false
	}
	d := ls.Destinations[0]
	if d.Config.Forward != kernel.ForwardDirect && d.Config.Forward != kernel.ForwardTunnel {
		return CheckPath{}, false
	}
	return CheckPath{Family: ls.Key.Family, Backend: d.Key.Addr, Dest: pathDest(d.Config)}, true
}

// freeMarks returns an iterator over the marks of r not taken: first those
// no live service uses, then those of stale live services, each ascending.
func freeMarks(r desired.FwmarkRange, taken, liveUsed map[uint32]bool) func() (uint32, bool) {
	pass, m := 0, r.First
	return func() (uint32, bool) {
		for pass < 2 {
			for ; m >= r.First && m <= r.Last; m++ {
				if !taken[m] && liveUsed[m] == (pass == 1) {
					taken[m] = true
					return m, true
				}
			}
			pass, m = pass+1, r.First
		}
		return 0, false
	}
}
