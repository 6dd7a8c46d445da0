package keepalived

import (
	"net/netip"
	"slices"
	"strings"
)

// node builds the node section from the VRRP instance that carries the
// most VIPs (the first of equals) and returns where every instance's VIPs
// go. seesaw runs one VRRP instance per node: the other instances are
// listed, and their VIPs follow the converted one.
func (c *converter) node(name string) (*outNode, map[netip.Addr]string) {
	n := &outNode{Name: c.nodeName(name)}
	vipIf := c.instanceVIPs()
	if len(c.instances) == 0 {
		n.Interface = []string{"eth0"}
		for _, s := range c.vservers {
			c.note(s.Pos, "no vrrp_instance: the node is standalone and holds every VIP; node.interface is eth0: set it to the interface the VIPs go on")
			break
		}
		c.syncGroups(nil)
		return n, vipIf
	}
	best := c.instances[0]
	for _, in := range c.instances[1:] {
		if len(in.vips) > len(best.vips) {
			best = in
		}
	}
	for _, in := range c.instances {
		if in != best {
			c.note(in.pos, "vrrp_instance %s (vrid %d): not converted: seesaw runs one VRRP instance per node yet (issue #16); its VIPs follow vrrp_instance %s (vrid %d)", in.name, in.vrid, best.name, best.vrid)
		}
	}
	c.syncGroups(best)
	iface := best.iface
	if iface == "" {
		iface = "eth0"
		c.note(best.pos, "vrrp_instance %s: no interface: node.interface is eth0: set it to the interface the VIPs go on", best.name)
	}
	for a, dev := range vipIf {
		if dev == "" {
			vipIf[a] = iface
		}
	}
	n.Interface = []string{iface}
	n.VRRP = c.vrrp(best, iface)
	return n, vipIf
}

// vrrp is node.vrrp from the chosen instance.
func (c *converter) vrrp(in *instance, iface string) *outVRRP {
	v := &outVRRP{VRID: in.vrid, Priority: in.priority, AdvertInterval: fmtDuration(in.advert),
		Preempt: in.preempt, Peers: in.peers}
	if in.delay > 0 {
		v.PreemptDelay = fmtDuration(in.delay)
	}
	if version := max(in.version, c.version); version != 3 {
		c.note(in.pos, "vrrp_instance %s speaks VRRPv2 (keepalived's default): seesaw speaks VRRPv3 only; set vrrp_version 3 in global_defs of every keepalived peer that stays during the migration", in.name)
	}
	v.IPv6 = len(in.vips) > 0 && !slices.ContainsFunc(in.vips, func(x vip) bool { return x.addr.Is4() })
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
	v.SyncDaemon = c.syncDaemon(in)
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

// syncGroups lists vrrp_sync_group blocks: with one instance converted, all
// VIPs move together anyway, which is what a group of all instances asks.
func (c *converter) syncGroups(best *instance) {
	for _, g := range c.groups {
		var members []string
		for _, k := range g.Block {
			switch k.Keyword() {
			case "group":
				for _, m := range k.Block {
					members = append(members, m.Words...)
				}
			case "notify", "notify_master", "notify_backup", "notify_fault", "notify_stop":
				c.notifyHook(k, "vrrp_sync_group "+strings.Join(g.Args(), " "))
			case "smtp_alert", "global_tracking", "track_interface", "track_script":
				c.note(k.Pos, "vrrp_sync_group %s: %s: not converted", strings.Join(g.Args(), " "), k.Keyword())
			default:
				if len(k.Words) == 1 && k.Block == nil {
					members = append(members, k.Keyword()) // the old form, without `group { }`
				}
			}
		}
		name := strings.Join(g.Args(), " ")
		all := len(c.instances) > 0
		for _, in := range c.instances {
			all = all && slices.Contains(members, in.name)
		}
		if best != nil && all {
			c.note(g.Pos, "vrrp_sync_group %s: converted as one instance: seesaw moves all VIPs of a node together, as this group of every instance did", name)
		} else {
			c.note(g.Pos, "vrrp_sync_group %s (%s): not converted: seesaw has no sync groups yet (issue #16); all VIPs of the node move together", name, strings.Join(members, " "))
		}
	}
}

// syncDaemon is node.vrrp.sync_daemon from global_defs lvs_sync_daemon
// (`IFNAME INSTANCE [id N] [maxlen N] [port N] [ttl N] [group ADDR]`) or the
// instance's lvs_sync_daemon_interface.
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
		c.note(c.syncStmt.Pos, "lvs_sync_daemon follows vrrp_instance %s; seesaw switches it with the one converted instance (%s)", w[1], in.name)
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
