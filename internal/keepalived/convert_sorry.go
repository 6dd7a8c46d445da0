package keepalived

import (
	"net/netip"
	"strings"
)

// sorryServer is what a virtual_server's sorry_server* statements say.
type sorryServer struct {
	stmt    *Stmt // the sorry_server statement; nil: none
	inhibit bool
	method  string // forwarding from sorry_server_lvs_method ("": the service's)
}

// sorryKey reads sorry_server, sorry_server_inhibit and sorry_server_lvs_method.
func (c *converter) sorryKey(st *vsState, k *Stmt) {
	switch k.Keyword() {
	case "sorry_server":
		if st.sorry.stmt != nil {
			c.note(k.Pos, "sorry_server: a second one in this virtual_server: the last is converted")
		}
		st.sorry.stmt = k
	case "sorry_server_inhibit":
		st.sorry.inhibit = true
	case "sorry_server_lvs_method":
		if v, ok := c.arg(k); ok {
			st.sorry.method = c.forward(k, v)
		}
	}
}

// sorryServer turns `sorry_server IP [PORT]` into services[].fallback:
// keepalived sends traffic to it while the service has lost quorum, which
// the converted watermarks (or, without quorum, seesaw's rule that a
// fallback serves while no backend is healthy) express; weight 1 as in
// keepalived; sorry_server_inhibit keeps it at weight 0 (idle: keep).
func (c *converter) sorryServer(st *vsState) {
	k := st.sorry.stmt
	if k == nil {
		if st.sorry.inhibit || st.sorry.method != "" {
			c.note(st.svc.pos, "virtual_server %s: sorry_server_inhibit or sorry_server_lvs_method without sorry_server: nothing to convert", st.svc.out.Name)
		}
		return
	}
	a := k.Args()
	addr, ok := netip.Addr{}, len(a) == 1 || len(a) == 2
	if ok {
		addr, ok = parseAddr(a[0])
	}
	port, err := st.port, error(nil)
	if ok && len(a) == 2 {
		port, err = parseInt(a[1])
	}
	if !ok || err != nil || port < 0 || port > 65535 {
		c.note(k.Pos, "sorry_server %s: not ADDRESS [PORT]: not converted", strings.Join(a, " "))
		return
	}
	addr = addr.Unmap()
	out := &st.svc.out
	fwd := cmpOr(st.sorry.method, out.Forward)
	if fwd != "tunnel" && addr.Is6() != st.ipv6 {
		c.note(k.Pos, "sorry_server %s: of another address family than virtual_server %s, which %s cannot forward to: not converted", addr, out.Name, fwd)
		return
	}
	for _, b := range out.Backends {
		if b.Address == addr.String() {
			c.note(k.Pos, "sorry_server %s: also a real_server of virtual_server %s; a seesaw fallback must be another server: not converted", addr, out.Name)
			return
		}
	}
	f := outFallback{Address: addr.String(), Weight: 1}
	switch {
	case port == 0 || port == st.port:
	case fwd == "nat":
		f.Port = port
	case st.port != 0:
		c.note(k.Pos, "sorry_server %s port %d: %s forwarding keeps the service's port %d; the sorry server's port is not converted", addr, port, fwd, st.port)
	}
	if st.sorry.method != out.Forward {
		f.Forward = st.sorry.method
	}
	if st.sorry.inhibit {
		f.Idle = "keep"
	}
	out.Fallback = append(out.Fallback, f)
}
