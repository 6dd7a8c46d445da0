package keepalived

import (
	"net/netip"
	"slices"
	"strings"
)

// vipPlace is where a virtual_ipaddress goes: its interface ("" until the
// node's is known), the instance that carries it ("" with one instance:
// the default) and what was written.
type vipPlace struct {
	dev      string
	instance string
	vip      vip
}

// node builds the node section: node.vrrp from a single vrrp_instance,
// node.vrrp_instances from several (each keeps its name), and
// node.vrrp_sync_groups from vrrp_sync_group blocks. It returns where
// every instance's VIPs go.
func (c *converter) node(name string) (*outNode, map[netip.Addr]vipPlace) {
	n := &outNode{Name: c.nodeName(name)}
	places := map[netip.Addr]vipPlace{}
	if len(c.instances) == 0 {
		n.Interface = []string{"eth0"}
		for _, s := range c.vservers {
			c.note(s.Pos, "no vrrp_instance: the node is standalone and holds every VIP; node.interface is eth0: set it to the interface the VIPs go on")
			break
		}
		c.syncGroups(n, nil)
		return n, places
	}
	ins := c.distinctInstances()
	iface := ins[0].iface
	if iface == "" {
		iface = "eth0"
		c.note(ins[0].pos, "vrrp_instance %s: no interface: node.interface is eth0: set it to the interface the VIPs go on", ins[0].name)
	}
	n.Interface = []string{iface}
	syncd := c.syncDaemonInstance(ins)
	for _, in := range ins {
		ifname := cmpOr(in.iface, iface)
		v := c.vrrp(in, in == syncd)
		if len(ins) == 1 {
			n.VRRP = v
		} else {
			v.Name = in.name
			if ifname != iface {
				v.Interface = ifname
			}
			n.VRRPInstances = append(n.VRRPInstances, v)
		}
		for _, x := range in.vips {
			if _, dup := places[x.addr]; dup {
				c.note(x.pos, "%s: already a VIP of an earlier vrrp_instance: carried by that one", x.addr)
				continue
			}
			p := vipPlace{dev: cmpOr(x.dev, ifname), vip: x}
			if len(ins) > 1 {
				p.instance = in.name
			}
			places[x.addr] = p
		}
	}
	names := make([]string, 0, len(ins))
	for _, in := range ins {
		names = append(names, in.name)
	}
	c.converted = names
	c.syncGroups(n, names)
	return n, places
}

// distinctInstances are the instances to convert: one per virtual router
// (VRID, interface and family) and name; a later duplicate is listed.
func (c *converter) distinctInstances() []*instance {
	var out []*instance
	for _, in := range c.instances {
		dup := slices.ContainsFunc(out, func(o *instance) bool {
			return o.name == in.name || (o.vrid == in.vrid && o.iface == in.iface && instanceIPv6(o) == instanceIPv6(in))
		})
		if dup {
			c.note(in.pos, "vrrp_instance %s (vrid %d): the same name or virtual router as an earlier instance: not converted", in.name, in.vrid)
			continue
		}
		out = append(out, in)
	}
	return out
}

// instanceIPv6 says whether an instance advertises over IPv6: all its VIPs are.
func instanceIPv6(in *instance) bool {
	return len(in.vips) > 0 && !slices.ContainsFunc(in.vips, func(x vip) bool { return x.addr.Is4() })
}

// vrrp is one instance: node.vrrp, or an item of node.vrrp_instances;
// withSync gives it the sync daemon.
func (c *converter) vrrp(in *instance, withSync bool) *outVRRP {
	v := &outVRRP{VRID: in.vrid, Priority: in.priority, AdvertInterval: fmtDuration(in.advert),
		Preempt: in.preempt, Peers: in.peers}
	if in.delay > 0 {
		v.PreemptDelay = fmtDuration(in.delay)
	}
	if version := max(in.version, c.version); version != 3 {
		c.note(in.pos, "vrrp_instance %s speaks VRRPv2 (keepalived's default): seesaw speaks VRRPv3 only; set vrrp_version 3 in global_defs of every keepalived peer that stays during the migration", in.name)
	}
	v.IPv6 = instanceIPv6(in)
	c.vrrpAddresses(v, in)
	g := c.garp
	if in.garp.masterRepeat != 0 {
		g.masterRepeat = in.garp.masterRepeat
	}
	g.masterDelay = cmpOr(in.garp.masterDelay, g.masterDelay)
	g.interval = cmpOr(in.garp.interval, g.interval)
	g.masterRefresh = cmpOr(in.garp.masterRefresh, g.masterRefresh)
	v.GARPMasterRepeat, v.GARPMasterDelay, v.GARPInterval, v.GARPMasterRefresh = g.masterRepeat, g.masterDelay, g.interval, g.masterRefresh
	if len(in.track) > 0 {
		v.Track = &outTrack{Interfaces: in.track}
	}
	if withSync {
		v.SyncDaemon = c.syncDaemon(in)
	} else if in.syncIfname != "" {
		c.note(in.pos, "vrrp_instance %s: lvs_sync_daemon_interface: not converted: seesaw runs one sync daemon per node, configured on one instance", in.name)
	}
	return v
}

// vrrpAddresses keeps the peers and source of the advert family only.
func (c *converter) vrrpAddresses(v *outVRRP, in *instance) {
	family := func(s string) bool { return netip.MustParseAddr(s).Is6() == v.IPv6 }
	var peers []string
	for _, p := range v.Peers {
		if family(p) {
			peers = append(peers, p)
		} else {
			c.note(in.pos, "unicast_peer %s: not of the advert family (%s): not converted", p, familyName(v.IPv6))
		}
	}
	v.Peers = peers
	if in.source != "" && len(peers) > 0 && family(in.source) {
		v.Source = in.source
	} else if in.source != "" {
		c.note(in.pos, "source address %s: seesaw takes a source only with unicast peers of its family: not converted", in.source)
	}
}

// syncGroups converts vrrp_sync_group blocks into node.vrrp_sync_groups
// over the converted instances (names; nil when none was converted).
func (c *converter) syncGroups(n *outNode, names []string) {
	inGroup := map[string]string{}
	for _, g := range c.groups {
		name := strings.Join(g.Args(), " ")
		var members []string
		var notify []*Stmt
		for _, k := range g.Block {
			switch k.Keyword() {
			case "group":
				for _, m := range k.Block {
					members = append(members, m.Words...)
				}
			case "notify", "notify_master", "notify_backup", "notify_fault", "notify_stop":
				notify = append(notify, k)
			case "smtp_alert", "global_tracking", "track_interface", "track_script":
				c.note(k.Pos, "vrrp_sync_group %s: %s: not converted", name, k.Keyword())
			default:
				if len(k.Words) == 1 && k.Block == nil {
					members = append(members, k.Keyword()) // the old form, without `group { }`
				}
			}
		}
		for _, k := range notify {
			c.notifyHook(k, "vrrp_sync_group "+name, append([]string{}, members...))
		}
		if len(names) == 1 {
			c.note(g.Pos, "vrrp_sync_group %s: not needed: one instance converted, whose VIPs move together", name)
			continue
		}
		var kept []string
		for _, m := range members {
			switch other, dup := inGroup[m]; {
			case !slices.Contains(names, m):
				c.note(g.Pos, "vrrp_sync_group %s: member %s is no converted vrrp_instance: left out", name, m)
			case dup:
				c.note(g.Pos, "vrrp_sync_group %s: member %s is already in sync group %s: left out", name, m, other)
			case !slices.Contains(kept, m):
				kept = append(kept, m)
			}
		}
		if len(kept) < 2 || name == "" {
			c.note(g.Pos, "vrrp_sync_group %s: fewer than two converted members: not converted", name)
			continue
		}
		for _, m := range kept {
			inGroup[m] = name
		}
		n.SyncGroups = append(n.SyncGroups, outSyncGroup{Name: name, Instances: kept})
	}
}

// syncDaemonInstance is the instance that carries the sync daemon: the one
// global_defs lvs_sync_daemon names, else the first with
// lvs_sync_daemon_interface, else the first (nil without a sync daemon).
func (c *converter) syncDaemonInstance(ins []*instance) *instance {
	if c.syncStmt != nil {
		if w := c.syncStmt.Args(); len(w) >= 2 {
			for _, in := range ins {
				if in.name == w[1] {
					return in
				}
			}
		}
		return ins[0]
	}
	for _, in := range ins {
		if in.syncIfname != "" {
			return in
		}
	}
	return nil
}

// syncDaemon is the sync_daemon of an instance from global_defs
// lvs_sync_daemon (`IFNAME INSTANCE [id N] [maxlen N] [port N] [ttl N]
// [group ADDR]`) or the instance's lvs_sync_daemon_interface.
func (c *converter) syncDaemon(in *instance) *outSyncDaemon {
	if c.syncStmt == nil {
		if in.syncIfname != "" {
			return &outSyncDaemon{Interface: in.syncIfname}
		}
		return nil
	}
	w := c.syncStmt.Args()
	if len(w) < 1 || !validIfname(w[0]) {
		c.note(c.syncStmt.Pos, "lvs_sync_daemon: no interface: not converted")
		return nil
	}
	sd := &outSyncDaemon{Interface: w[0]}
	if len(w) >= 2 && w[1] != in.name && !strings.HasPrefix(w[1], "id") {
		c.note(c.syncStmt.Pos, "lvs_sync_daemon follows vrrp_instance %s, which was not converted; seesaw configures it on %s (it runs in both roles whatever the state)", w[1], in.name)
	}
	for i := 1; i+1 < len(w); i++ {
		n, err := parseInt(w[i+1])
		switch {
		case w[i] == "id" && err == nil && n >= 0 && n <= 255:
			sd.SyncID = n
		case w[i] == "port" && err == nil && n >= 1 && n <= 65535:
			sd.Port = n
		case w[i] == "ttl" && err == nil && n >= 1 && n <= 255:
			sd.TTL = n
		case w[i] == "maxlen" && err == nil && n >= 0 && n <= 65535:
			sd.MaxLen = n
		case w[i] == "group":
			if a, err := netip.ParseAddr(w[i+1]); err == nil && a.IsMulticast() {
				sd.Group = a.String()
			}
		default:
			continue
		}
		i++
	}
	return sd
}

// familyName names an address family.
func familyName(ipv6 bool) string {
	if ipv6 {
		return "IPv6"
	}
	return "IPv4"
}

// cmpOr is the first non-empty string.
func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
