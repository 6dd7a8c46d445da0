package keepalived

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// Result is a converted configuration: the two files of a seesaw
// configuration directory and the list of what did not convert.
type Result struct {
	// NodeYAML is node.yaml (the node, and the VIPs no virtual_server
	// uses as floating `addresses:`); ServicesYAML is services.yaml (nil
	// when the keepalived file has no virtual_server that converts).
	NodeYAML     []byte
	ServicesYAML []byte
	// Services is how many services ServicesYAML holds.
	Services int
	// Notes are the constructs not converted, or converted with a change
	// of meaning, in file and line order.
	Notes []Note
}

// ConvertOptions adjust Convert.
type ConvertOptions struct {
	// NodeName is node.name; empty: global_defs router_id, else "lb".
	NodeName string
	// Header is a comment written at the top of each file (without `#`).
	Header string
}

// converter holds what the passes over the statements collect.
type converter struct {
	notes     []Note
	top       string // the top file, for notes about the whole configuration
	routerID  string
	version   int
	garp      garpDefaults
	syncStmt  *Stmt        // global_defs lvs_sync_daemon
	timeouts  *outTimeouts // global_defs lvs_timeouts
	instances []*instance
	groups    []*Stmt
	vservers  []*Stmt
	services  []*service
	hooks     []*outHook // node.notify, from the notify statements
	// groupHooks are the converted notify statements of vrrp_sync_group
	// blocks, for the note on their scope (scopeHooks).
	groupHooks []groupHook
	// converted are the names of the vrrp_instance blocks converted.
	converted []string
}

// Convert turns a parsed keepalived configuration into a seesaw
// configuration directory's files. It never fails on what the statements
// say: a value it cannot carry over is left out and listed in Notes, so the
// files it returns always pass seesaw's validation.
func Convert(cfg *Config, opts ConvertOptions) (*Result, error) {
	c := &converter{notes: slices.Clone(cfg.Notes)}
	if len(cfg.Files) > 0 {
		c.top = cfg.Files[0]
	}
	for _, s := range cfg.Stmts {
		c.topLevel(s)
	}
	node, places := c.node(opts.NodeName)
	if c.timeouts != nil {
		node.IPVS = &outIPVS{Timeouts: c.timeouts}
	}
	names := map[string]Pos{}
	for _, vs := range c.vservers {
		svc := c.virtualServer(vs)
		if svc == nil {
			continue
		}
		if first, dup := names[svc.out.Name]; dup {
			c.note(vs.Pos, "virtual_server %s: the same service as the one at %s: not converted", svc.out.Name, first)
			continue
		}
		names[svc.out.Name] = vs.Pos
		c.services = append(c.services, svc)
	}
	addrs := c.placeServices(node, places)
	c.scopeHooks(c.converted, len(node.VRRPInstances) > 1)
	node.Notify = c.hooks
	nodeYAML, err := renderNode(node, addrs, opts.Header)
	if err != nil {
		return nil, err
	}
	res := &Result{NodeYAML: nodeYAML, Services: len(c.services)}
	if len(c.services) > 0 {
		if res.ServicesYAML, err = renderServices(c.services, opts.Header); err != nil {
			return nil, err
		}
	}
	slices.SortStableFunc(c.notes, func(a, b Note) int {
		if a.Pos.File != b.Pos.File {
			return strings.Compare(a.Pos.File, b.Pos.File)
		}
		return a.Pos.Line - b.Pos.Line
	})
	res.Notes = c.notes
	return res, nil
}

// note records a construct that was not converted.
func (c *converter) note(pos Pos, format string, args ...any) {
	c.notes = append(c.notes, Note{Pos: pos, Text: fmt.Sprintf(format, args...)})
}

// topLevel sorts a top-level statement into the converter's lists.
func (c *converter) topLevel(s *Stmt) {
	switch s.Keyword() {
	case "global_defs":
		c.globalDefs(s)
	case "vrrp_instance":
		if in := c.instance(s); in != nil {
			c.instances = append(c.instances, in)
		}
	case "vrrp_sync_group":
		c.groups = append(c.groups, s)
	case "virtual_server":
		c.vservers = append(c.vservers, s)
	case "virtual_server_group":
		c.note(s.Pos, "virtual_server_group %s: not converted: seesaw has no server groups; write one service per VIP (a service takes several ports) or mark the traffic with one fwmark", strings.Join(s.Args(), " "))
	case "vrrp_script":
		c.note(s.Pos, "vrrp_script %s: not converted: seesaw runs no scripts; express the condition as a check of a service and track that service (node.vrrp.track.services)", strings.Join(s.Args(), " "))
	case "bfd_instance":
		c.note(s.Pos, "bfd_instance: not converted: seesaw has no BFD; rely on VRRP adverts or a tcp/icmp check")
	case "static_ipaddress", "static_routes", "static_rules":
		c.note(s.Pos, "%s: not converted: seesaw manages only VIPs; configure static addresses and routes in the host's network configuration", s.Keyword())
	default:
		c.note(s.Pos, "%s: not converted: seesaw has no equivalent", s.Keyword())
	}
}

// nodeName picks node.name.
func (c *converter) nodeName(flag string) string {
	switch {
	case flag != "":
		return flag
	case c.routerID != "":
		return c.routerID
	}
	return "lb"
}

// placeServices sets each service's interface (the dev of its VIP when that
// is not the node's first interface) and, with several instances, the
// instance whose virtual_ipaddress holds its VIP; adds those interfaces to
// the node; returns the VIPs no service carries as floating addresses; and
// scopes the node to exactly the services' VIPs and marks.
func (c *converter) placeServices(node *outNode, places map[netip.Addr]vipPlace) []outAddress {
	ifaces := node.Interface.([]string)
	useIf := func(dev string) string {
		if dev == "" || dev == ifaces[0] {
			return ""
		}
		if !slices.Contains(ifaces, dev) {
			ifaces = append(ifaces, dev)
		}
		return dev
	}
	used := map[netip.Addr]bool{}
	for _, s := range c.services {
		if !s.vip.IsValid() {
			continue
		}
		used[s.vip] = true
		p, held := places[s.vip]
		if !held && len(c.instances) > 0 {
			c.note(s.pos, "virtual_server %s: the VIP is in no virtual_ipaddress (keepalived did not add it); seesaw adds it on the master", s.out.Name)
		}
		s.out.Interface = useIf(p.dev)
		s.out.VRRPInstance = p.instance
		if !held && len(node.VRRPInstances) > 0 {
			s.out.VRRPInstance = node.VRRPInstances[0].Name
			c.note(s.pos, "virtual_server %s: carried by vrrp_instance %s, the first: name another in vrrp_instance if it should follow one", s.out.Name, s.out.VRRPInstance)
		}
	}
	var addrs []outAddress
	for _, in := range c.instances {
		for _, v := range in.vips {
			p, ok := places[v.addr]
			if used[v.addr] || !ok || p.vip.pos != v.pos {
				continue
			}
			used[v.addr] = true
			addrs = append(addrs, outAddress{Address: floatingText(c, v), Interface: useIf(p.dev), VRRPInstance: p.instance})
		}
	}
	if len(ifaces) == 1 {
		node.Interface = ifaces[0]
	} else {
		node.Interface = ifaces
	}
	node.Scope = scopeOf(c.services)
	if len(c.services) == 0 {
		c.note(Pos{File: c.top}, "no virtual_server converted: node.scope is empty, so seesaw would own (and empty) the whole IPVS table; set node.scope before running it")
	}
	return addrs
}

// floatingText writes a VIP without a virtual_server as a floating
// address: with its prefix length when one was written and it names a host.
func floatingText(c *converter, v vip) string {
	if v.bits < 0 || v.bits == v.addr.BitLen() {
		return v.addr.String()
	}
	p := netip.PrefixFrom(v.addr, v.bits)
	if v.addr.Is4() && p.Masked().Addr() == v.addr {
		c.note(v.pos, "%s: the network address of its prefix: converted as the host address %s", p, v.addr)
		return v.addr.String()
	}
	return p.String()
}

// scopeOf is the node scope that owns exactly the services' VIPs and marks,
// so the import never takes over IPVS entries keepalived did not manage.
func scopeOf(svcs []*service) outScope {
	var sc outScope
	seen := map[string]bool{}
	for _, s := range svcs {
		if m := fmt.Sprint(s.out.Fwmark); s.out.Fwmark != 0 && !seen["m"+m] {
			seen["m"+m] = true
			sc.Fwmarks = append(sc.Fwmarks, m)
		}
		if p := netip.PrefixFrom(s.vip, s.vip.BitLen()).String(); s.vip.IsValid() && !seen[p] {
			seen[p] = true
			sc.Prefixes = append(sc.Prefixes, p)
		}
	}
	return sc
}
