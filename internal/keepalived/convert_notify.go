package keepalived

import (
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// outHook is one entry of node.notify.
type outHook struct {
	Name      string   `yaml:"name"`
	On        []string `yaml:"on,flow"`
	Run       []string `yaml:"run,flow"`
	Services  []string `yaml:"services,omitempty,flow"`
	Instances []string `yaml:"instances,omitempty,flow"`
	// scope are the vrrp_instance names whose state changes keepalived
	// ran the statement on (nil: a virtual_server's); scopeHooks turns
	// them into Instances.
	scope []string
	// from and owner are where the first statement converted into the
	// hook was, for notes.
	from  Pos
	owner string
}

// notifyEvents maps keepalived's notify keywords onto seesaw's hook events.
var notifyEvents = map[string][]string{
	"notify_master": {"master"},
	"notify_backup": {"backup"},
	"notify_fault":  {"fault"},
	"notify_stop":   {"stop"},
	"notify":        {"master", "backup", "fault", "stop"},
	"quorum_up":     {"service_up"},
	"quorum_down":   {"service_down"},
}

// notifyHook converts a notify statement of a vrrp_instance or
// vrrp_sync_group (scope: the instance, or the group's members), or a
// virtual_server's quorum_up or quorum_down (scope nil; services limits
// the hook to its service) into a hook; owner names where it was. The
// statement is `KEYWORD COMMAND [USER [GROUP]]`, the command one word
// (quoted when it has arguments) that keepalived splits at spaces and runs
// without a shell. A command that needs a shell, a relative path or
// another user is listed instead. A command already converted for the same
// services and instances gets the other events added.
func (c *converter) notifyHook(k *Stmt, owner string, scope []string, services ...string) {
	kw := k.Keyword()
	events, ok := notifyEvents[kw]
	if !ok {
		c.note(k.Pos, "%s %s: not converted: seesaw has no such event", owner, kw)
		return
	}
	args := k.Args()
	if len(args) == 0 {
		c.note(k.Pos, "%s %s: no command: not converted", owner, kw)
		return
	}
	if len(args) > 1 {
		c.note(k.Pos, "%s %s: runs as user %s: not converted: seesaw runs hooks as its own user; write run: [/usr/bin/setpriv, --reuid=%s, --init-groups, ...] to drop privileges", owner, kw, strings.Join(args[1:], " "), args[1])
		return
	}
	argv, bad := splitCommand(args[0])
	switch {
	case bad != "":
		c.note(k.Pos, "%s %s %q: not converted: %s, and a hook runs without a shell; put the command in a script and write run: [/path/to/script]", owner, kw, args[0], bad)
		return
	case len(argv) == 0:
		c.note(k.Pos, "%s %s: empty command: not converted", owner, kw)
		return
	case !strings.HasPrefix(argv[0], "/"):
		c.note(k.Pos, "%s %s %q: not converted: a hook's program is an absolute path (no $PATH lookup); write it in full", owner, kw, argv[0])
		return
	}
	if kw == "notify" {
		c.note(k.Pos, "%s notify: converted to a hook on master, backup, fault and stop; keepalived passed TYPE NAME STATE PRIORITY as arguments, seesaw sets SEESAW_INSTANCE and SEESAW_STATE (lower case) in the environment instead: adapt the script", owner)
	}
	var h *outHook
	if i := slices.IndexFunc(c.hooks, func(h *outHook) bool {
		return slices.Equal(h.Run, argv) && slices.Equal(h.Services, services) && slices.Equal(h.scope, scope)
	}); i >= 0 {
		h = c.hooks[i]
		for _, e := range events {
			if !slices.Contains(h.On, e) {
				h.On = append(h.On, e)
			}
		}
	} else {
		h = &outHook{Name: c.hookName(owner, kw), On: slices.Clone(events), Run: argv, Services: services,
			scope: scope, from: k.Pos, owner: owner}
		c.hooks = append(c.hooks, h)
	}
	if strings.HasPrefix(owner, "vrrp_sync_group ") {
		c.groupHooks = append(c.groupHooks, groupHook{pos: k.Pos, owner: owner, kw: kw, hook: h})
	}
}

// hookName makes a unique hook name from where the statement was: the
// instance or group name (characters a hook name cannot hold become '_')
// and the keyword.
func (c *converter) hookName(owner, kw string) string {
	_, name, _ := strings.Cut(owner, " ")
	clean := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.' {
			return r
		}
		return '_'
	}, name)
	base := clean + "-" + kw
	if len(base) > 56 {
		base = base[:56]
	}
	out := base
	for i := 2; slices.ContainsFunc(c.hooks, func(h *outHook) bool { return h.Name == out }); i++ {
		out = base + "-" + strconv.Itoa(i)
	}
	return out
}

// splitCommand splits a keepalived script command into argv at spaces,
// with '…' and "…" grouping; bad says why a command needs a shell.
func splitCommand(s string) (argv []string, bad string) {
	var cur strings.Builder
	in, quote := false, byte(0)
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case quote != 0 && ch == quote:
			quote = 0
		case quote == '\'':
			cur.WriteByte(ch)
		case quote == '"' && (ch == '$' || ch == '`' || ch == '\\'):
			return nil, "it uses shell expansion (" + string(ch) + ")"
		case quote == '"':
			cur.WriteByte(ch)
		case ch == '\'' || ch == '"':
			quote, in = ch, true
		case ch == ' ' || ch == '\t':
			if in {
				argv = append(argv, cur.String())
				cur.Reset()
				in = false
			}
		case strings.IndexByte("|&;<>()$`\\*?[]{}~#\n", ch) >= 0:
			return nil, "it uses shell syntax (" + string(ch) + ")"
		default:
			cur.WriteByte(ch)
			in = true
		}
	}
	if quote != 0 {
		return nil, "it has an unterminated quote"
	}
	if in {
		argv = append(argv, cur.String())
	}
	return argv, ""
}

// firstArg is k's first argument, or "USER" when it has none.
func firstArg(k *Stmt) string {
	if a := k.Args(); len(a) > 0 {
		return a[0]
	}
	return "USER"
}

// plainOnKeys writes the hooks' `on` keys plain, as the documentation
// does: the encoder quotes them for YAML 1.1 readers, where `on` is a
// boolean, but seesaw reads YAML 1.2, where it is a string.
func plainOnKeys(n *yaml.Node) {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i]; k.Value == "on" {
				k.Style = 0
			}
		}
	}
	for _, c := range n.Content {
		plainOnKeys(c)
	}
}

// groupHook is a converted notify statement of a vrrp_sync_group: owner is
// "vrrp_sync_group NAME", hook the hook it went into.
type groupHook struct {
	pos   Pos
	owner string
	kw    string
	hook  *outHook
}

// scopeHooks limits each converted notify statement of a vrrp_instance or
// a vrrp_sync_group to the instances keepalived ran it for, among those
// converted (names), as the hook's instances on a node with several
// instances (multi); a hook left with none of its instances is dropped
// and listed. On a node with several instances, a sync group's statement
// is listed too: keepalived ran it once for the group, a hook runs once
// per state change of each member.
func (c *converter) scopeHooks(names []string, multi bool) {
	c.hooks = slices.DeleteFunc(c.hooks, func(h *outHook) bool {
		if h.scope == nil {
			return false
		}
		var kept []string
		for _, n := range h.scope {
			if slices.Contains(names, n) && !slices.Contains(kept, n) {
				kept = append(kept, n)
			}
		}
		if len(kept) == 0 {
			c.note(h.from, "%s: notify hook %s not converted: none of the instances it ran for was converted", h.owner, h.Name)
			return true
		}
		if multi {
			h.Instances = kept
		}
		return false
	})
	if !multi {
		return
	}
	for _, h := range c.groupHooks {
		if !slices.Contains(c.hooks, h.hook) {
			continue // dropped, and noted
		}
		c.note(h.pos, "%s %s: converted to a hook limited to the group's instances that runs once per state change of each of them, where keepalived ran it once for the group: have the script act on the SEESAW_INSTANCE values it handles",
			h.owner, h.kw)
	}
}
