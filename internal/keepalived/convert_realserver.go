package keepalived

import (
	"math"
	"net/netip"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// realServer is one converted real_server.
type realServer struct {
	backend outBackend
	addr    netip.Addr
	port    int
	checks  []*outCheck // nil: no check converted
	checked bool        // keepalived checks it (with any checker)
	inhibit bool
	pos     Pos
}

// realServers converts the real_server blocks into backends and the
// service's checks. keepalived checks each real server on its own; seesaw
// runs one list of checks against every backend, so the first real
// server's checks are taken and any other real server whose checks differ
// is listed.
func (c *converter) realServers(st *vsState) {
	svc := &st.svc.out
	var rss []*realServer
	for _, k := range st.realServers {
		rs := c.realServer(st, k)
		if rs == nil {
			continue
		}
		if slices.ContainsFunc(rss, func(o *realServer) bool { return o.addr == rs.addr && o.backend.Port == rs.backend.Port }) {
			c.note(k.Pos, "real_server %s: listed twice in virtual_server %s: the second is not converted", strings.Join(k.Args(), " "), svc.Name)
			continue
		}
		rss = append(rss, rs)
		svc.Backends = append(svc.Backends, rs.backend)
	}
	c.serviceChecks(st, rss)
	inhibit := 0
	for _, rs := range rss {
		if rs.inhibit || st.inhibitAll {
			inhibit++
		}
	}
	switch {
	case len(rss) == 0 || inhibit == len(rss):
		// drain (seesaw's default) is keepalived's inhibit_on_failure
	case inhibit == 0:
		svc.OnUnhealthy = "remove" // keepalived removes a failed real server
	default:
		c.note(st.svc.pos, "virtual_server %s: inhibit_on_failure on some real servers only: seesaw drains or removes for the whole service: drain (weight 0) for all", svc.Name)
	}
}

// serviceChecks picks the checks of the first real server that has any and
// lists the real servers whose checks differ.
func (c *converter) serviceChecks(st *vsState, rss []*realServer) {
	var first *realServer
	for _, rs := range rss {
		if rs.checks == nil {
			continue
		}
		if first == nil {
			first = rs
			continue
		}
		if !sameChecks(first.checks, rs.checks) {
			c.note(rs.pos, "real_server %s: its checks differ from those of %s: seesaw runs one set of checks on every backend of a service: %s's are used", rs.addr, first.addr, first.addr)
		}
	}
	if first == nil {
		return
	}
	for _, rs := range rss {
		switch {
		case rs.checks == nil && rs.checked:
			c.note(rs.pos, "real_server %s: its checks did not convert; seesaw checks it like %s", rs.addr, first.addr)
		case rs.checks == nil:
			c.note(rs.pos, "real_server %s has no checks (keepalived keeps it up); seesaw checks it like %s", rs.addr, first.addr)
		}
	}
	st.svc.out.Checks = first.checks
}

// sameChecks compares two check lists by their YAML.
func sameChecks(a, b []*outCheck) bool {
	x, err1 := yaml.Marshal(a)
	y, err2 := yaml.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}

// realServer converts `real_server IP [PORT] { ... }`.
func (c *converter) realServer(st *vsState, k *Stmt) *realServer {
	a := k.Args()
	if len(a) < 1 || len(a) > 2 {
		c.note(k.Pos, "real_server %s: not ADDRESS [PORT]: not converted", strings.Join(a, " "))
		return nil
	}
	addr, ok := parseAddr(a[0])
	port, err := st.port, error(nil)
	if len(a) == 2 {
		port, err = parseInt(a[1])
	}
	if !ok || err != nil || port < 0 || port > 65535 {
		c.note(k.Pos, "real_server %s: not ADDRESS [PORT]: not converted", strings.Join(a, " "))
		return nil
	}
	rs := &realServer{addr: addr.Unmap(), port: port, pos: k.Pos, backend: outBackend{Address: addr.Unmap().String(), Weight: 1}}
	ctx := st.ctx
	for _, s := range k.Block {
		c.rsKey(st, rs, &ctx, s)
	}
	fwd := cmpOr(rs.backend.Forward, st.svc.out.Forward)
	if fwd != "tunnel" && rs.addr.Is6() != st.ipv6 {
		c.note(k.Pos, "real_server %s: of another address family than virtual_server %s, which %s cannot forward to: not converted", rs.addr, st.svc.out.Name, fwd)
		return nil
	}
	if rs.backend.Forward == st.svc.out.Forward {
		rs.backend.Forward = ""
	}
	c.backendPort(st, rs, fwd)
	for _, s := range k.Block {
		if isCheck(s.Keyword()) {
			rs.checks = append(rs.checks, c.check(s, ctx, st, rs)...)
			if rs.checks == nil {
				rs.checks = []*outCheck{}
			}
		}
	}
	if b := &rs.backend; b.LowerThreshold > b.UpperThreshold {
		c.note(k.Pos, "real_server %s: lthreshold %d over uthreshold %d: lthreshold not converted", rs.addr, b.LowerThreshold, b.UpperThreshold)
		b.LowerThreshold = 0
	}
	return rs
}

// backendPort sets the backend's port where seesaw takes one: NAT only,
// and only when it differs from the service's.
func (c *converter) backendPort(st *vsState, rs *realServer, fwd string) {
	switch {
	case rs.port == 0 || rs.port == st.port:
	case fwd == "nat":
		rs.backend.Port = rs.port
	case st.port != 0:
		c.note(rs.pos, "real_server %s port %d: %s forwarding keeps the service's port %d; the real server's port is not converted", rs.addr, rs.port, fwd, st.port)
	}
}

// rsKey reads one statement of a real_server block (checks come after).
func (c *converter) rsKey(st *vsState, rs *realServer, ctx *checkCtx, k *Stmt) {
	switch kw := k.Keyword(); kw {
	case "weight":
		if len(k.Args()) > 0 {
			if n, err := parseInt(k.Args()[0]); err == nil && n >= 0 && n <= 65535 {
				rs.backend.Weight = n
				return
			}
		}
		c.note(k.Pos, "weight %s: not 0..65535: 1", strings.Join(k.Args(), " "))
	case "inhibit_on_failure":
		rs.inhibit = true
	case "uthreshold":
		rs.backend.UpperThreshold = c.intArg(k, 0, math.MaxInt32)
	case "lthreshold":
		rs.backend.LowerThreshold = c.intArg(k, 0, math.MaxInt32)
	case "lb_kind", "lvs_method":
		if v, ok := c.arg(k); ok {
			rs.backend.Forward = c.forward(k, v)
		}
	case "notify_up", "notify_down":
		c.note(k.Pos, "%s: not converted: seesaw's hooks run on VRRP and service events, not per backend; backend health is in status and metrics (seesaw_backend_healthy)", kw)
	case "MISC_CHECK", "SMTP_CHECK", "FILE_CHECK", "BFD_CHECK":
		rs.checked = true
		c.unconvertedCheck(k)
	default:
		if isCheck(kw) {
			rs.checked = true
		} else if !c.ctxKey(ctx, k) {
			c.note(k.Pos, "real_server %s: %s: not converted: seesaw has no equivalent", rs.addr, kw)
		}
	}
}

// unconvertedCheck lists a checker seesaw has no counterpart for.
func (c *converter) unconvertedCheck(k *Stmt) {
	switch k.Keyword() {
	case "MISC_CHECK":
		c.note(k.Pos, "MISC_CHECK: not converted: seesaw runs no check scripts; replace it with an http, tcp, dns or radius check the backend answers")
	case "SMTP_CHECK":
		c.note(k.Pos, "SMTP_CHECK: not converted: seesaw has no SMTP check; a tcp check with expect.contains \"220\" on port 25 tests the banner")
	case "FILE_CHECK":
		c.note(k.Pos, "FILE_CHECK: not converted: seesaw has no file check; drain the backend with `seesaw-reconcile drain` instead")
	case "BFD_CHECK":
		c.note(k.Pos, "BFD_CHECK: not converted: seesaw has no BFD; use a tcp or icmp check")
	}
}
