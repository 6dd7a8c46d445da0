package desired

import (
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// decodeNotify decodes `node.notify`: a list of hooks with unique names.
func (d *decoder) decodeNotify(n *yaml.Node, path string) []Hook {
	var out []Hook
	seen := map[string]bool{}
	d.sequence(n, path, func(i int, v *yaml.Node) {
		p := index(path, i)
		h, ok := d.decodeHook(v, p)
		if !ok {
			return
		}
		if seen[h.Name] {
			d.errorf(v, key(p, "name"), "hook %q is defined twice", h.Name)
			return
		}
		seen[h.Name] = true
		out = append(out, h)
	})
	return out
}

// decodeHook decodes one entry of `node.notify`.
func (d *decoder) decodeHook(n *yaml.Node, path string) (Hook, bool) {
	h := Hook{Timeout: DefaultHookTimeout, Source: d.src(n)}
	var servicesN, instancesN *yaml.Node
	before := len(d.errs)
	ok := d.mapping(n, path, func(k string, v *yaml.Node) bool {
		p := key(path, k)
		switch k {
		case "name":
			h.Name = d.hookName(v, p)
		case "on":
			h.On = d.hookEvents(v, p)
		case "run":
			h.Run = d.hookArgv(v, p)
		case "services":
			h.Services, servicesN = d.hookNames(v, p, "service", "services", "service"), v
		case "instances":
			h.Instances, instancesN = d.hookNames(v, p, "VRRP instance", "instances", "instance"), v
		case "timeout":
			h.Timeout = d.durationIn(v, p, MinHookTimeout, MaxHookTimeout)
		default:
			return false
		}
		return true
	})
	if !ok {
		return Hook{}, false
	}
	clean := len(d.errs) == before
	if h.Name == "" && clean {
		d.errorf(n, key(path, "name"), "missing: every hook needs a name (it labels the hook's logs and metrics)")
	}
	if len(h.On) == 0 && clean {
		d.errorf(n, key(path, "on"), "missing: the events the hook runs on (%s)", hookEventList())
	}
	if len(h.Run) == 0 && clean {
		d.errorf(n, key(path, "run"), "missing: the program to run, as a list [/absolute/path, arg, ...]")
	}
	if servicesN != nil && clean && !h.Wants(HookServiceUp) && !h.Wants(HookServiceDown) {
		d.errorf(servicesN, key(path, "services"), "services filters service events, and on lists neither service_up nor service_down")
	}
	if instancesN != nil && clean && !h.wantsVRRP() {
		d.errorf(instancesN, key(path, "instances"), "instances filters VRRP events, and on lists none of master, backup, fault, stop")
	}
	return h, len(d.errs) == before
}

// hookNames decodes the names a hook is limited to: what names a kind
// ("service"), key its key and each the word for one ("instance").
func (d *decoder) hookNames(n *yaml.Node, path, what, key, each string) []string {
	var out []string
	d.sequence(n, path, func(i int, v *yaml.Node) {
		p := index(path, i)
		before := len(d.errs)
		switch s := d.name(v, p); {
		case len(d.errs) > before:
		case s == "":
			d.errorf(v, p, "empty %s name", what)
		case slices.Contains(out, s):
			d.errorf(v, p, "%s %q is listed twice", what, s)
		default:
			out = append(out, s)
		}
	})
	if n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
		d.errorf(n, path, "empty: leave %s out to run on every %s", key, each)
	}
	return out
}

// hookName decodes a hook name: 1 to 64 letters, digits, '_', '-' or '.'.
func (d *decoder) hookName(n *yaml.Node, path string) string {
	s := d.str(n, path)
	if s == "" {
		return ""
	}
	valid := len(s) <= maxHookName && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.')
	}) < 0
	if !valid {
		d.errorf(n, path, "hook name %q: use 1 to %d letters, digits, '_', '-' or '.' (it is a metric label)", escapeControls(s), maxHookName)
		return ""
	}
	return s
}

// hookEvents decodes the list of events a hook runs on.
func (d *decoder) hookEvents(n *yaml.Node, path string) []HookEvent {
	var out []HookEvent
	d.sequence(n, path, func(i int, v *yaml.Node) {
		p := index(path, i)
		before := len(d.errs)
		s := d.str(v, p)
		ev := HookEvent(s)
		switch {
		case len(d.errs) > before:
		case !slices.Contains(HookEvents, ev):
			d.errorf(v, p, "%q is not an event; want one of %s", escapeControls(s), hookEventList())
		case slices.Contains(out, ev):
			d.errorf(v, p, "event %q is listed twice", s)
		default:
			out = append(out, ev)
		}
	})
	if n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
		d.errorf(n, path, "empty: list the events the hook runs on (%s)", hookEventList())
	}
	return out
}

// hookArgv decodes a hook's argv: an absolute program path and its
// arguments, none holding a NUL byte (the kernel cannot pass one).
func (d *decoder) hookArgv(n *yaml.Node, path string) []string {
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, path, "want a list [/absolute/path, arg, ...] (no shell runs it), got %s", kindName(n))
		return nil
	}
	if len(n.Content) == 0 {
		d.errorf(n, path, "empty: the program to run, as a list [/absolute/path, arg, ...]")
		return nil
	}
	before := len(d.errs)
	argv := d.strings(n, path)
	if len(d.errs) > before {
		return nil
	}
	for i, a := range argv {
		if strings.IndexByte(a, 0) >= 0 {
			d.errorf(n.Content[i], index(path, i), "argument holds a NUL byte")
			return nil
		}
	}
	if prog := argv[0]; !strings.HasPrefix(prog, "/") || strings.HasSuffix(prog, "/") {
		msg := "program %q is not an absolute file path; write it in full (the hook runs without a shell and without $PATH lookup)"
		if strings.ContainsAny(prog, " |&;$`<>") {
			msg = "program %q is not an absolute file path; run takes an argv list, not a shell command: write [/usr/bin/prog, arg1, arg2], or [/bin/sh, -c, '...'] if a shell is really needed"
		}
		d.errorf(n.Content[0], index(path, 0), msg, escapeControls(prog))
		return nil
	}
	return argv
}

// durationIn decodes a duration within [lo, hi].
func (d *decoder) durationIn(n *yaml.Node, path string, lo, hi time.Duration) time.Duration {
	before := len(d.errs)
	v := d.duration(n, path)
	if len(d.errs) == before && (v < lo || v > hi) {
		d.errorf(n, path, "%s is outside %s..%s", v, lo, hi)
		return 0
	}
	return v
}

// hookEventList lists the event names for messages.
func hookEventList() string {
	s := make([]string, len(HookEvents))
	for i, e := range HookEvents {
		s[i] = string(e)
	}
	return strings.Join(s, ", ")
}
