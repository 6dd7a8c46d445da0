package keepalived

import (
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strings"
)

// service is a converted virtual_server with what placing it needs.
type service struct {
	out outService
	vip netip.Addr
	pos Pos
}

// vsState is what a virtual_server's statements set beyond outService.
type vsState struct {
	svc             *service
	port            int
	proto           string
	ctx             checkCtx
	quorum, hyst    int
	quorumSet       bool
	inhibitAll      bool
	ipv6            bool
	familySet       bool
	realServers     []*Stmt
	persistTimeout  string
	persistMask     string
	persistEngine   string
	persistenceSeen bool
	sorry           sorryServer
	quorumHooks     []*Stmt // quorum_up, quorum_down: hooks once the name is known
}

var schedulers = []string{"rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos"}

// virtualServer converts `virtual_server IP PORT { ... }` and
// `virtual_server fwmark N { ... }`; nil (with a note) when it cannot.
func (c *converter) virtualServer(s *Stmt) *service {
	st := &vsState{svc: &service{pos: s.Pos}, proto: "tcp", quorum: 1, ctx: defaultCheckCtx()}
	if !c.identity(st, s) {
		return nil
	}
	for _, k := range s.Block {
		c.vsKey(st, k)
	}
	c.fwmarkFamily(st)
	svc := st.svc
	if svc.vip.IsValid() {
		svc.out.Name = fmt.Sprintf("%s-%s-%d", st.proto, svc.vip, st.port)
		svc.out.Ports = []outPort{{Proto: st.proto, Port: st.port}}
	} else {
		svc.out.Name = fmt.Sprintf("fwmark-%d", svc.out.Fwmark)
		if st.ipv6 {
			svc.out.Family = "ipv6"
			svc.out.Name += "-ipv6"
		}
	}
	if svc.out.Forward == "" {
		svc.out.Forward = "nat"
	}
	c.persistence(st)
	c.schedulerFlags(st, s.Pos)
	if svc.out.OnePacket && st.proto != "udp" {
		c.note(s.Pos, "virtual_server %s: ops: one-packet scheduling is for udp services only: not converted", svc.out.Name)
		svc.out.OnePacket = false
	}
	c.realServers(st)
	c.sorryServer(st)
	c.watermarks(st, s.Pos)
	for _, k := range st.quorumHooks {
		c.notifyHook(k, "virtual_server "+svc.out.Name, nil, svc.out.Name)
	}
	return svc
}

// identity reads the virtual_server's arguments.
func (c *converter) identity(st *vsState, s *Stmt) bool {
	a := s.Args()
	switch {
	case len(a) == 2 && a[0] == "fwmark":
		m, err := parseInt64(a[1])
		if err != nil || m < 1 || m > math.MaxUint32 {
			c.note(s.Pos, "virtual_server fwmark %q: not a mark 1..4294967295: not converted", a[1])
			return false
		}
		st.svc.out.Fwmark = uint32(m)
		return true
	case len(a) == 2 && a[0] == "group":
		c.note(s.Pos, "virtual_server group %s: not converted: seesaw has no server groups; write a service per VIP, or one fwmark service", a[1])
		return false
	case len(a) == 2:
		addr, ok := parseAddr(a[0])
		port, perr := parseInt(a[1])
		if !ok || perr != nil || port < 1 || port > 65535 {
			c.note(s.Pos, "virtual_server %s: not ADDRESS PORT (port 1..65535; port 0 means every port, which seesaw cannot express): not converted", strings.Join(a, " "))
			return false
		}
		st.svc.vip = addr
		st.svc.out.VIP = st.svc.vip.String()
		st.port = port
		st.ipv6 = st.svc.vip.Is6()
		return true
	}
	c.note(s.Pos, "virtual_server %s: not ADDRESS PORT or fwmark MARK: not converted", strings.Join(a, " "))
	return false
}

// vsKey reads one statement of a virtual_server block.
func (c *converter) vsKey(st *vsState, k *Stmt) {
	out := &st.svc.out
	switch kw := k.Keyword(); kw {
	case "lb_algo", "lvs_sched":
		if v, ok := c.arg(k); ok && slices.Contains(schedulers, v) {
			out.Scheduler = v
		} else if ok {
			c.note(k.Pos, "%s %s: not a scheduler seesaw knows: the default (wlc) applies", kw, v)
		}
	case "lb_kind", "lvs_method":
		if v, ok := c.arg(k); ok {
			out.Forward = c.forward(k, v)
		}
	case "protocol":
		if v, ok := c.arg(k); ok && slices.Contains([]string{"TCP", "UDP", "SCTP"}, strings.ToUpper(v)) {
			st.proto = strings.ToLower(v)
		} else if ok {
			c.note(k.Pos, "protocol %s: not TCP, UDP or SCTP: tcp", v)
		}
	case "persistence_timeout":
		st.persistenceSeen = true
		st.persistTimeout = "360s" // keepalived's value when none is written
		if len(k.Args()) > 0 {
			if d, ok := c.durationArg(k); ok && d >= 1e9 {
				st.persistTimeout = fmtDuration(d.Round(1e9))
			}
		}
	case "persistence_granularity":
		st.persistMask, _ = c.arg(k)
	case "persistence_engine":
		st.persistEngine, _ = c.arg(k)
	case "ops":
		out.OnePacket = true
	case "sh-port", "sh-fallback", "mh-port", "mh-fallback":
		out.SchedulerFlags = append(out.SchedulerFlags, kw)
	case "ip_family":
		if v, ok := c.arg(k); ok && st.svc.vip.IsValid() && (v == "inet6") != st.ipv6 {
			c.note(k.Pos, "ip_family %s: the VIP %s decides the family: ignored", v, st.svc.vip)
		} else if ok {
			st.ipv6, st.familySet = v == "inet6", true
		}
	case "quorum":
		st.quorum, st.quorumSet = c.intArg(k, 1, math.MaxInt32), true
	case "hysteresis":
		st.hyst, st.quorumSet = c.intArg(k, 0, math.MaxInt32), true
	case "real_server":
		st.realServers = append(st.realServers, k)
	case "inhibit_on_failure":
		st.inhibitAll = true
	case "alpha":
		st.ctx.initialDown = true
	case "sorry_server", "sorry_server_inhibit", "sorry_server_lvs_method":
		c.sorryKey(st, k)
	case "quorum_up", "quorum_down":
		st.quorumHooks = append(st.quorumHooks, k)
	default:
		if !c.ctxKey(&st.ctx, k) {
			c.note(k.Pos, "virtual_server %s: not converted: seesaw has no equivalent", kw)
		}
	}
}

// fwmarkFamily takes an fwmark service's family from its first real
// server when ip_family does not say it, as keepalived does.
func (c *converter) fwmarkFamily(st *vsState) {
	if st.svc.vip.IsValid() || st.familySet {
		return
	}
	for _, k := range st.realServers {
		if a := k.Args(); len(a) > 0 {
			if addr, ok := parseAddr(a[0]); ok {
				st.ipv6 = addr.Is6()
				return
			}
		}
	}
}

// schedulerFlags keeps the sh-*/mh-* flags for the sh and mh schedulers
// (both kinds set the same kernel bits, so they are renamed to the
// scheduler's) and lists them for any other scheduler.
func (c *converter) schedulerFlags(st *vsState, pos Pos) {
	out := &st.svc.out
	flags := out.SchedulerFlags
	out.SchedulerFlags = nil
	for _, f := range flags {
		_, suffix, _ := strings.Cut(f, "-")
		if out.Scheduler != "sh" && out.Scheduler != "mh" {
			c.note(pos, "virtual_server %s: %s: only the sh and mh schedulers take flags: not converted", out.Name, f)
			continue
		}
		if f = out.Scheduler + "-" + suffix; !slices.Contains(out.SchedulerFlags, f) {
			out.SchedulerFlags = append(out.SchedulerFlags, f)
		}
	}
}

// forward maps lb_kind to a forwarding method.
func (c *converter) forward(k *Stmt, v string) string {
	switch strings.ToUpper(v) {
	case "NAT", "MASQ":
		return "nat"
	case "DR":
		return "dr"
	case "TUN":
		return "tunnel"
	}
	c.note(k.Pos, "%s %s: not NAT, DR or TUN: nat", k.Keyword(), v)
	return ""
}

// persistence sets services[].persistence from the persistence_* keys.
func (c *converter) persistence(st *vsState) {
	if !st.persistenceSeen && st.persistMask != "" {
		st.persistTimeout = "360s" // keepalived: a granularity makes the service persistent
	} else if !st.persistenceSeen {
		if st.persistEngine != "" {
			c.note(st.svc.pos, "virtual_server %s: persistence_engine without persistence_timeout: keepalived does not make the service persistent, nor does the import", st.svc.out.Name)
		}
		return
	}
	p := &outPersistence{Timeout: st.persistTimeout}
	if m := st.persistMask; m != "" {
		if bits, ok := maskBits(m, st.ipv6); ok && strings.Contains(m, ".") {
			p.Netmask = m
		} else if ok {
			p.Netmask = bits
		} else {
			c.note(st.svc.pos, "virtual_server %s: persistence_granularity %s: not a netmask of the service's family: not converted", st.svc.out.Name, m)
		}
	}
	if e := st.persistEngine; e == "sip" && st.proto == "udp" {
		p.Engine = e
	} else if e != "" {
		c.note(st.svc.pos, "virtual_server %s: persistence_engine %s: seesaw takes only sip on udp services: not converted", st.svc.out.Name, e)
	}
	st.svc.out.Persistence = p
}

// maskBits reads a persistence granularity: a dotted IPv4 netmask or a
// prefix length.
func maskBits(m string, ipv6 bool) (int, bool) {
	if n, err := parseInt(m); err == nil {
		if ipv6 {
			return n, n >= 1 && n <= 128
		}
		return n, n >= 1 && n <= 32
	}
	a, err := netip.ParseAddr(m)
	if err != nil || !a.Is4() || ipv6 {
		return 0, false
	}
	b := a.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	ones := 0
	for v&(1<<31) != 0 {
		ones++
		v <<= 1
	}
	return ones, v == 0 && ones > 0
}

// watermarks turns quorum and hysteresis into watermarks. keepalived takes
// a service down when the weight of its live real servers falls below
// quorum - hysteresis and up again at quorum + hysteresis; seesaw counts
// healthy backends, so the shares are exact when the weights are equal.
func (c *converter) watermarks(st *vsState, pos Pos) {
	if !st.quorumSet {
		return
	}
	total, equal := 0, true
	for i, b := range st.svc.out.Backends {
		total += b.Weight
		if i > 0 && b.Weight != st.svc.out.Backends[0].Weight {
			equal = false
		}
	}
	if total == 0 {
		c.note(pos, "virtual_server %s: quorum %d with no backend weight: not converted", st.svc.out.Name, st.quorum)
		return
	}
	share := func(w int) float64 { return math.Floor(min(max(float64(w)/float64(total), 0), 1)*1e4) / 1e4 }
	// keepalived also loses quorum when no weight is live at all: the
	// smallest share above 0 keeps that.
	wm := &outWatermarks{Low: max(share(st.quorum-st.hyst), 0.0001), High: max(share(st.quorum+st.hyst), 0.0001)}
	if !equal {
		c.note(pos, "virtual_server %s: quorum %d hysteresis %d: seesaw's watermarks count healthy backends, not their weight; the backends' weights differ, so low %.4g and high %.4g are the shares of the total weight (%d)", st.svc.out.Name, st.quorum, st.hyst, wm.Low, wm.High, total)
	}
	st.svc.out.Watermarks = wm
}

// parseInt64 parses a decimal integer of up to 64 bits.
func parseInt64(s string) (int64, error) {
	var n int64
	_, err := fmt.Sscan(s, &n)
	if err != nil || fmt.Sprint(n) != s {
		return 0, fmt.Errorf("not a decimal integer")
	}
	return n, nil
}
