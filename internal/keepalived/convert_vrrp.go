package keepalived

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// instance is a vrrp_instance as seesaw can carry it.
type instance struct {
	name       string
	pos        Pos
	vrid       int
	priority   int
	advert     time.Duration
	iface      string
	peers      []string
	source     string
	preempt    bool
	delay      time.Duration
	version    int
	track      []outTrackItem
	vips       []vip
	garp       garpDefaults
	syncIfname string
}

// vip is one address of a virtual_ipaddress block.
type vip struct {
	addr netip.Addr
	bits int // the prefix length written, -1 when none
	dev  string
	pos  Pos
}

// garpDefaults are the gratuitous ARP settings, from global_defs
// (vrrp_garp_*) or the instance (garp_*).
type garpDefaults struct {
	masterDelay, interval, masterRefresh string
	masterRepeat                         int
}

// globalDefs reads the global_defs block.
func (c *converter) globalDefs(s *Stmt) {
	for _, k := range s.Block {
		switch k.Keyword() {
		case "router_id":
			if name, ok := c.arg(k); ok && !hasControl(name) {
				c.routerID = name
			}
		case "vrrp_version":
			c.version = c.intArg(k, 2, 3)
		case "lvs_sync_daemon":
			c.syncStmt = k
		case "lvs_timeouts":
			c.lvsTimeouts(k)
		case "vrrp_garp_master_delay", "vrrp_garp_master_repeat", "vrrp_garp_master_refresh", "vrrp_garp_interval":
			c.garpKey(&c.garp, k, strings.TrimPrefix(k.Keyword(), "vrrp_"))
		case "script_user":
			if firstArg(k) == "root" {
				break // hooks run as root under the shipped unit
			}
			c.note(k.Pos, "global_defs script_user: the converted notify hooks run as seesaw's own user, not as %s; to keep that, write each hook's run as [/usr/bin/setpriv, --reuid=%s, --init-groups, PROGRAM, ...]", strings.Join(k.Args(), " "), firstArg(k))
		case "enable_script_security":
			// seesaw runs only absolute programs; nothing to carry over.
		case "notification_email", "notification_email_from", "smtp_server", "smtp_connect_timeout", "smtp_helo_name":
			c.note(k.Pos, "global_defs %s: not converted: seesaw sends no e-mail; alert on its Prometheus metrics (seesaw_vrrp_state, service and backend health)", k.Keyword())
		default:
			c.note(k.Pos, "global_defs %s: not converted: seesaw has no equivalent", k.Keyword())
		}
	}
}

// instance reads a vrrp_instance block; nil when it has no usable
// virtual_router_id.
func (c *converter) instance(s *Stmt) *instance {
	in := &instance{name: strings.Join(s.Args(), " "), pos: s.Pos, priority: 100, advert: time.Second, preempt: true}
	for _, k := range s.Block {
		c.instanceKey(in, k)
	}
	if in.vrid == 0 {
		c.note(s.Pos, "vrrp_instance %s: no valid virtual_router_id: not converted", in.name)
		return nil
	}
	return in
}

// instanceKey reads one statement of a vrrp_instance.
func (c *converter) instanceKey(in *instance, k *Stmt) {
	switch k.Keyword() {
	case "state":
		// seesaw starts as backup; priority decides who becomes master.
	case "interface":
		if name, ok := c.ifnameArg(k); ok {
			in.iface = name
		}
	case "virtual_router_id":
		in.vrid = c.intArg(k, 1, 255)
	case "priority":
		if p := c.intArg(k, 1, 255); p != 0 {
			in.priority = p
		}
	case "advert_int":
		if d, ok := c.durationArg(k); ok {
			in.advert = c.advertInterval(k.Pos, d)
		}
	case "unicast_src_ip", "mcast_src_ip":
		if a, ok := c.addrArg(k); ok {
			in.source = a.String()
		}
	case "unicast_peer":
		for _, p := range k.Block {
			if a, ok := parseAddr(p.Keyword()); ok {
				in.peers = append(in.peers, a.String())
			} else {
				c.note(p.Pos, "unicast_peer %q: not an IP address: not converted", p.Keyword())
			}
		}
	case "nopreempt":
		in.preempt = false
	case "preempt":
		in.preempt = true
	case "preempt_delay":
		if d, ok := c.durationArg(k); ok {
			in.delay = d
		}
	case "version":
		in.version = c.intArg(k, 2, 3)
	case "track_interface":
		c.trackInterfaces(in, k)
	case "virtual_ipaddress", "virtual_ipaddress_excluded":
		c.vipBlock(in, k)
	case "garp_master_delay", "garp_master_repeat", "garp_master_refresh", "garp_interval":
		c.garpKey(&in.garp, k, k.Keyword())
	case "lvs_sync_daemon_interface":
		if name, ok := c.ifnameArg(k); ok {
			in.syncIfname = name
		}
	case "native_ipv6":
		// The family follows the VIPs.
	case "authentication":
		c.note(k.Pos, "authentication: not converted: VRRPv3 has no authentication; keep the VRRP segment private (a dedicated VLAN or unicast peers)")
	case "notify", "notify_master", "notify_backup", "notify_fault", "notify_stop":
		c.notifyHook(k, "vrrp_instance "+in.name, []string{in.name})
	case "notify_master_rx_lower_pri":
		c.note(k.Pos, "notify_master_rx_lower_pri: not converted: seesaw has no such event; watch seesaw_vrrp_dropped_packets_total and seesaw_vrrp_transitions_total")
	case "track_script":
		c.note(k.Pos, "track_script: not converted: seesaw runs no scripts; make the condition a service check and track the service (node.vrrp.track.services)")
	case "smtp_alert":
		c.note(k.Pos, "smtp_alert: not converted: seesaw sends no e-mail; alert on its metrics")
	default:
		c.note(k.Pos, "vrrp_instance %s: %s: not converted: seesaw has no equivalent", in.name, k.Keyword())
	}
}

// advertInterval rounds d to seesaw's 10ms steps within 10ms..40.95s.
func (c *converter) advertInterval(pos Pos, d time.Duration) time.Duration {
	r := d.Round(10 * time.Millisecond)
	r = min(max(r, 10*time.Millisecond), 4095*10*time.Millisecond)
	if r != d {
		c.note(pos, "advert_int %s: seesaw takes multiples of 10ms from 10ms to 40.95s: converted to %s", d, r)
	}
	return r
}

// trackInterfaces reads track_interface: `IFNAME [weight N]`. Without a
// weight keepalived goes to FAULT while the interface is down; seesaw lowers
// the priority by 254, which hands mastership to any peer.
func (c *converter) trackInterfaces(in *instance, k *Stmt) {
	for _, t := range k.Block {
		name := t.Keyword()
		if !validIfname(name) {
			c.note(t.Pos, "track_interface %q: not an interface name: not converted", name)
			continue
		}
		dec := 254
		if args := t.Args(); len(args) == 2 && args[0] == "weight" {
			w, err := strconv.Atoi(args[1])
			switch {
			case err != nil || w == 0 || w < -254 || w > 254:
				c.note(t.Pos, "track_interface %s weight %s: not converted (seesaw takes 1..254 as a decrement)", name, args[1])
				continue
			case w > 0:
				c.note(t.Pos, "track_interface %s weight %d: keepalived adds the weight while the interface is up; seesaw lowers the priority by %d while it is down (raise priority by %d to keep the same figures)", name, w, w, w)
				dec = w
			default:
				dec = -w
			}
		} else if len(args) > 0 {
			c.note(t.Pos, "track_interface %s %s: not converted: only `weight N` is understood", name, strings.Join(args, " "))
			continue
		}
		if slices.ContainsFunc(in.track, func(i outTrackItem) bool { return i.Name == name }) {
			continue
		}
		in.track = append(in.track, outTrackItem{Name: name, Decrement: dec})
	}
}

// vipBlock reads virtual_ipaddress: `ADDRESS[/LEN] [dev IFNAME] [...]`.
func (c *converter) vipBlock(in *instance, k *Stmt) {
	for _, v := range k.Block {
		w := v.Words
		addrText, bitsText, hasBits := strings.Cut(w[0], "/")
		a, ok := parseAddr(addrText)
		if !ok {
			c.note(v.Pos, "virtual_ipaddress %q: not an IP address: not converted", w[0])
			continue
		}
		x := vip{addr: a, bits: -1, dev: in.iface, pos: v.Pos}
		if n, err := strconv.Atoi(bitsText); hasBits && err == nil && n >= 0 && n <= a.BitLen() {
			x.bits = n
		}
		for i := 1; i+1 < len(w); i += 2 {
			switch w[i] {
			case "dev":
				if validIfname(w[i+1]) {
					x.dev = w[i+1]
				} else {
					c.note(v.Pos, "virtual_ipaddress %s dev %q: not an interface name seesaw takes: on the instance's interface", w[0], w[i+1])
				}
			case "label", "scope", "brd", "broadcast":
				// seesaw adds each VIP as a host address without label.
			default:
				c.note(v.Pos, "virtual_ipaddress %s %s: not converted: seesaw adds each VIP as a host address", w[0], w[i])
			}
		}
		in.vips = append(in.vips, x)
	}
}

// garpKey reads one garp setting (name without the vrrp_ prefix).
func (c *converter) garpKey(g *garpDefaults, k *Stmt, name string) {
	switch name {
	case "garp_master_repeat":
		if n := c.intArg(k, 1, 100); n != 0 {
			g.masterRepeat = n
		}
	case "garp_master_delay":
		if d, ok := c.durationArg(k); ok {
			g.masterDelay = fmtDuration(d.Round(time.Millisecond))
		}
	case "garp_master_refresh":
		if d, ok := c.durationArg(k); ok && (d == 0 || d >= time.Second) {
			g.masterRefresh = fmtDuration(d.Round(time.Millisecond))
		} else if ok {
			c.note(k.Pos, "%s under 1s: not converted (seesaw takes 0 or at least 1s)", k.Keyword())
		}
	case "garp_interval":
		if d, ok := c.durationArg(k); ok && d <= time.Second {
			g.interval = fmtDuration(d.Round(time.Millisecond))
		} else if ok {
			c.note(k.Pos, "%s over 1s: not converted (seesaw takes at most 1s)", k.Keyword())
		}
	}
}
