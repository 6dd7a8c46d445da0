package desired

import (
	"slices"

	"go.yaml.in/yaml/v3"
)

// checkFallbacks fills the fallbacks' forwarding default, checks them as
// backends are checked (family, port, duplicates) and against the
// backends (an address is a backend or a fallback, never both), then
// sorts them by address and port.
func (d *decoder) checkFallbacks(s *Service, path string, seq *yaml.Node) {
	for i := range s.Fallback {
		if s.Fallback[i].Forward == "" {
			s.Fallback[i].Forward = s.Forward
		}
	}
	sortFallbacks := func() {
		slices.SortStableFunc(s.Fallback, func(a, b Fallback) int { return compareBackends(a.Backend, b.Backend) })
	}
	if seq == nil || seq.Kind != yaml.SequenceNode || len(seq.Content) != len(s.Fallback) {
		sortFallbacks()
		return
	}
	familyKnown := s.VIP.IsValid() || s.Fwmark != 0
	for i := range s.Fallback {
		f := &s.Fallback[i]
		p := index(path+".fallback", i)
		if !f.Address.IsValid() {
			continue
		}
		if familyKnown && f.Forward != ForwardTunnel && f.Address.Is6() != s.IPv6 {
			d.errorf(seq.Content[i], key(p, "address"), "%s is %s but the service is %s; only tunnel forwarding mixes families",
				f.Address, familyName(f.Address.Is6()), familyName(s.IPv6))
		}
		if f.Port != 0 && f.Forward != ForwardNAT {
			d.errorf(seq.Content[i], key(p, "port"), "%s forwarding cannot change the port; remove it or use nat", f.Forward)
		}
		for _, b := range s.Backends {
			if b.Address.IsValid() && b.Address.Unmap() == f.Address.Unmap() {
				d.errorf(seq.Content[i], key(p, "address"), "%s is also a backend of the service (line %d); a fallback must be another server", f.Address, b.Source.Line)
				break
			}
		}
		d.checkFallbackCheckPorts(s, f, p)
		for j := range i {
			if o := &s.Fallback[j]; o.Address == f.Address && o.Port == f.Port {
				d.errorf(seq.Content[i], p, "fallback %s is listed twice (first at line %d)", f.Address, o.Source.Line)
				break
			}
		}
	}
	sortFallbacks()
}

// checkFallbackCheckPorts reports a fallback check that has no port to
// dial: not its own, not the fallback's and not the service's.
func (d *decoder) checkFallbackCheckPorts(s *Service, f *Fallback, path string) {
	for i, c := range f.Checks {
		if c.Type != "" && c.Type != CheckICMP && c.DialPort(*s, f.Backend) == 0 {
			d.errorf(posNode(c.Source), index(path+".checks", i)+".port",
				"missing: the service has no ports and fallback %s none, so the check needs a port", f.Address)
		}
	}
}

// posNode is a node carrying only a source position, for errorf.
func posNode(s Source) *yaml.Node {
	return &yaml.Node{Line: s.Line, Column: s.Col}
}
