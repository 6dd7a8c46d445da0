package desired

import "go.yaml.in/yaml/v3"

// decodeFallbacks decodes `fallback:`, a list of backends that carry the
// service's traffic while it has no backend with traffic.
func (d *decoder) decodeFallbacks(n *yaml.Node, path string) []Fallback {
	var out []Fallback
	d.sequence(n, path, func(i int, e *yaml.Node) {
		out = append(out, d.decodeFallback(e, index(path, i)))
	})
	return out
}

// decodeFallback decodes one entry of `fallback:`: the keys of a backend,
// decoded by decodeBackend, and the fallback's own `idle` and `checks`.
func (d *decoder) decodeFallback(n *yaml.Node, path string) Fallback {
	f := Fallback{Idle: DefaultFallbackIdle}
	if n.Kind != yaml.MappingNode {
		f.Backend = d.decodeBackend(n, path) // reports what n is instead
		return f
	}
	own, rest := *n, *n
	own.Content, rest.Content = nil, nil
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind == yaml.ScalarNode && (k.Value == "idle" || k.Value == "checks") {
			own.Content = append(own.Content, k, n.Content[i+1])
		} else {
			rest.Content = append(rest.Content, k, n.Content[i+1])
		}
	}
	f.Backend = d.decodeBackend(&rest, path)
	d.mapping(&own, path, func(k string, v *yaml.Node) bool {
		switch k {
		case "idle":
			f.Idle = FallbackIdle(d.oneOf(v, key(path, k), "drain", "keep"))
		case "checks":
			f.Checks = d.decodeFallbackChecks(v, key(path, k))
		default:
			return false
		}
		return true
	})
	return f
}

// decodeFallbackChecks decodes a fallback's `checks:`, written inline.
func (d *decoder) decodeFallbackChecks(n *yaml.Node, path string) []Check {
	var out []Check
	d.sequence(n, path, func(i int, e *yaml.Node) {
		p := index(path, i)
		if e.Kind == yaml.ScalarNode || e.Kind == yaml.MappingNode && hasKey(e, "use") {
			d.errorf(e, p, "a fallback's checks are written inline (shared checks are for backends)")
			return
		}
		c := d.decodeCheck(e, p, false)
		if c.Mode != ModePlain && c.Mode != "" {
			d.errorf(e, key(p, "mode"), "a fallback's checks dial the fallback itself: mode plain only")
		}
		out = append(out, c)
	})
	return out
}
