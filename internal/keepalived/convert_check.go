package keepalived

import (
	"encoding/hex"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// checkCtx holds the timing keys a check inherits from its virtual_server
// and real_server, with keepalived's defaults.
type checkCtx struct {
	interval    time.Duration // delay_loop
	timeout     time.Duration // connect_timeout
	retry       int           // retry / nb_get_retry
	retryDelay  time.Duration // delay_before_retry
	host        string        // virtualhost
	initialDown bool          // alpha
	port        int           // connect_port
}

// defaultCheckCtx is keepalived's: delay_loop 60s, connect_timeout 5s,
// retry 1, delay_before_retry 1s.
func defaultCheckCtx() checkCtx {
	return checkCtx{interval: 60 * time.Second, timeout: 5 * time.Second, retry: 1, retryDelay: time.Second}
}

// ctxKey reads a timing key into ctx; false when k is not one.
func (c *converter) ctxKey(ctx *checkCtx, k *Stmt) bool {
	switch k.Keyword() {
	case "delay_loop":
		if d, ok := c.durationArg(k); ok {
			ctx.interval = max(d.Round(time.Millisecond), 10*time.Millisecond)
		}
	case "connect_timeout":
		if d, ok := c.durationArg(k); ok && d > 0 {
			ctx.timeout = max(d.Round(time.Millisecond), time.Millisecond)
		}
	case "retry", "nb_get_retry":
		if n := c.intArg(k, 0, 999); n != 0 || len(k.Args()) > 0 && k.Args()[0] == "0" {
			ctx.retry = n
		}
	case "delay_before_retry":
		if d, ok := c.durationArg(k); ok {
			ctx.retryDelay = max(d.Round(time.Millisecond), 10*time.Millisecond)
		}
	case "virtualhost":
		if v, ok := c.arg(k); ok && validHost(v) {
			ctx.host = v
		} else if ok {
			c.note(k.Pos, "virtualhost %q: not a host name: not converted", v)
		}
	case "connect_port":
		ctx.port = c.intArg(k, 1, 65535)
	case "alpha":
		ctx.initialDown = true
	case "warmup":
		c.note(k.Pos, "warmup: not converted: seesaw starts checks at once and spreads them with jitter")
	default:
		return false
	}
	return true
}

// isCheck reports the check blocks the import converts.
func isCheck(kw string) bool {
	return slices.Contains([]string{"TCP_CHECK", "HTTP_GET", "SSL_GET", "DNS_CHECK", "PING_CHECK", "UDP_CHECK"}, kw)
}

// check converts one check block of a real server. HTTP_GET and SSL_GET
// give one check per url block (keepalived requires every url to pass, as
// seesaw requires every check to).
func (c *converter) check(k *Stmt, ctx checkCtx, st *vsState, rs *realServer) []*outCheck {
	var urls []*Stmt
	var d dnsQuery
	var u udpProbe
	for _, s := range k.Block {
		switch kw := s.Keyword(); {
		case c.ctxKey(&ctx, s):
		case kw == "url":
			urls = append(urls, s)
		case k.Keyword() == "DNS_CHECK" && (kw == "type" || kw == "name"):
			d.set(kw, s.Args())
		case k.Keyword() == "UDP_CHECK" && (kw == "payload" || kw == "require_reply"):
			u.set(kw, s.Args())
		case kw == "enable_sni", kw == "http_protocol", kw == "fast_recovery":
			// SNI is taken from virtualhost; the rest does not change the verdict.
		default:
			c.note(s.Pos, "%s %s: not converted: seesaw's check has no equivalent", k.Keyword(), strings.Join(s.Words, " "))
		}
	}
	base := c.baseCheck(k, ctx, st, rs)
	if base == nil {
		return nil
	}
	switch k.Keyword() {
	case "TCP_CHECK":
		base.Type = "tcp"
	case "PING_CHECK":
		base.Type, base.Port = "icmp", 0
	case "DNS_CHECK":
		base.Type, base.QueryType, base.QueryName = "dns", d.qtype(), d.name()
		if d.typ != "" && d.typ != base.QueryType {
			c.note(k.Pos, "DNS_CHECK type %s: not a query type seesaw sends (%s): SOA", d.typ, strings.Join(dnsTypes, " "))
		}
		if base.QueryName == "" {
			c.note(k.Pos, "DNS_CHECK name %q: not a domain name: not converted", d.qname)
			return nil
		}
	case "UDP_CHECK":
		return c.udpCheck(k, base, u)
	case "HTTP_GET", "SSL_GET":
		return c.httpChecks(k, base, ctx, urls)
	}
	return []*outCheck{base}
}

// baseCheck is the timing and port every check type shares. keepalived
// retries a failed check `retry` times, delay_before_retry apart, before
// the server is down, and one success brings it up: fall is retry+1, the
// retry delay is fast_interval, rise is 1.
func (c *converter) baseCheck(k *Stmt, ctx checkCtx, st *vsState, rs *realServer) *outCheck {
	ch := &outCheck{Interval: fmtDuration(ctx.interval), Rise: 1, Fall: min(ctx.retry+1, 1000)}
	timeout := ctx.timeout
	if timeout > ctx.interval {
		c.note(k.Pos, "%s: connect_timeout %s is longer than delay_loop %s: timeout %s (seesaw's timeout is at most the interval)", k.Keyword(), fmtDuration(timeout), fmtDuration(ctx.interval), fmtDuration(ctx.interval))
		timeout = ctx.interval
	}
	ch.Timeout = fmtDuration(timeout)
	if ch.Fall > 1 && ctx.retryDelay != ctx.interval {
		ch.FastInterval = fmtDuration(ctx.retryDelay)
	}
	if ctx.initialDown {
		ch.Initial = "down"
	}
	ch.Port = ctx.port
	if ch.Port == 0 && st.svc.out.Fwmark != 0 && k.Keyword() != "PING_CHECK" {
		ch.Port = rs.port
		if ch.Port == 0 {
			c.note(k.Pos, "%s on real_server %s of virtual_server fwmark %d: no port (set connect_port): not converted", k.Keyword(), rs.addr, st.svc.out.Fwmark)
			return nil
		}
	}
	return ch
}

// httpChecks converts HTTP_GET and SSL_GET: one check per url.
func (c *converter) httpChecks(k *Stmt, base *outCheck, ctx checkCtx, urls []*Stmt) []*outCheck {
	base.Type, base.Host = "http", ctx.host
	if k.Keyword() == "SSL_GET" {
		base.Type = "https"
		base.TLS = &outTLS{ServerName: ctx.host, Verify: false}
	}
	if len(urls) == 0 {
		c.note(k.Pos, "%s without url: keepalived checks nothing; seesaw requests / and expects 2xx", k.Keyword())
		return []*outCheck{base}
	}
	var out []*outCheck
	for _, u := range urls {
		ch := *base
		if c.urlBlock(&ch, u) {
			out = append(out, &ch)
		}
	}
	return out
}

// urlBlock reads `url { path P; status_code N...; digest D; regex R }`.
func (c *converter) urlBlock(ch *outCheck, u *Stmt) bool {
	var exp outExpect
	for _, s := range u.Block {
		a := s.Args()
		switch s.Keyword() {
		case "path":
			if len(a) == 1 && strings.HasPrefix(a[0], "/") && !hasControl(a[0]) && !strings.ContainsAny(a[0], " ") {
				ch.Path = a[0]
			} else {
				c.note(s.Pos, "url path %s: not a path starting with /: not converted", strings.Join(a, " "))
				return false
			}
		case "status_code":
			for _, code := range a {
				if n, err := strconv.Atoi(code); err == nil && validStatus(code) {
					exp.Status = append(exp.Status, n)
				} else if validStatus(code) {
					exp.Status = append(exp.Status, code)
				} else {
					c.note(s.Pos, "status_code %s: not a code or range within 100-599: left out", code)
				}
			}
		case "digest":
			c.note(s.Pos, "url digest: not converted: seesaw does not hash the body; check for a string in it with expect.contains or expect.regexp")
		case "regex":
			if len(a) == 1 && regexpOK(a[0]) {
				exp.Regexp = a[0]
			} else {
				c.note(s.Pos, "url regex %s: not an RE2 expression (seesaw uses Go's regexp): not converted", strings.Join(a, " "))
			}
		case "virtualhost":
			if len(a) == 1 && validHost(a[0]) {
				ch.Host = a[0]
				if ch.TLS != nil {
					t := *ch.TLS
					t.ServerName = a[0]
					ch.TLS = &t
				}
			}
		default:
			c.note(s.Pos, "url %s: not converted: seesaw's http check has no equivalent", s.Keyword())
		}
	}
	if ch.Path == "" {
		ch.Path = "/"
	}
	if len(exp.Status) > 0 || exp.Regexp != "" {
		ch.Expect = &exp
	}
	return true
}

// udpCheck converts UDP_CHECK. seesaw's udp check sends a payload and
// waits for a reply; keepalived's passes on silence unless require_reply is
// set, so only the form with require_reply and text payloads converts.
func (c *converter) udpCheck(k *Stmt, ch *outCheck, u udpProbe) []*outCheck {
	send, ok1 := hexText(u.payload)
	reply, ok2 := hexText(u.reply)
	if !u.requireReply || !ok1 || !ok2 || send == "" {
		c.note(k.Pos, "UDP_CHECK: not converted: seesaw's udp check sends a text payload and needs a reply (keepalived passes on silence without require_reply); write a udp check with send and expect.contains, or a dns/radius check")
		return nil
	}
	ch.Type, ch.Send = "udp", send
	if reply != "" {
		ch.Expect = &outExpect{Contains: reply}
	}
	return []*outCheck{ch}
}

// udpProbe collects UDP_CHECK's payload and require_reply (hex strings).
type udpProbe struct {
	payload, reply string
	requireReply   bool
}

func (u *udpProbe) set(kw string, args []string) {
	v := strings.Join(args, "")
	if kw == "payload" {
		u.payload = v
		return
	}
	u.requireReply, u.reply = true, v
}

// hexText decodes keepalived's hex payload; ok only for printable UTF-8.
func hexText(h string) (string, bool) {
	b, err := hex.DecodeString(h)
	if err != nil || !utf8.Valid(b) || hasControl(string(b)) {
		return "", false
	}
	return string(b), true
}

// dnsQuery collects DNS_CHECK's type and name (keepalived: SOA of ".").
type dnsQuery struct{ typ, qname string }

func (d *dnsQuery) set(kw string, args []string) {
	v := strings.Join(args, " ")
	if kw == "type" {
		d.typ = strings.ToUpper(v)
	} else {
		d.qname = v
	}
}

var dnsTypes = []string{"A", "AAAA", "CNAME", "MX", "NS", "PTR", "SOA", "SRV", "TXT", "CAA"}

func (d *dnsQuery) qtype() string {
	if slices.Contains(dnsTypes, d.typ) {
		return d.typ
	}
	return "SOA"
}

var domainRE = regexp.MustCompile(`^(\.|([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.)*[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.?)$`)

func (d *dnsQuery) name() string {
	if d.qname == "" {
		return "."
	}
	if len(d.qname) > 253 || !domainRE.MatchString(d.qname) {
		return ""
	}
	return d.qname
}

// validStatus reports an HTTP status code or range within 100-599.
func validStatus(s string) bool {
	a, b, isRange := strings.Cut(s, "-")
	if !isRange {
		b = a
	}
	x, err1 := strconv.Atoi(a)
	y, err2 := strconv.Atoi(b)
	return err1 == nil && err2 == nil && x >= 100 && y <= 599 && x <= y
}

// validHost reports a Host header or SNI name seesaw takes.
func validHost(s string) bool {
	return s != "" && len(s) <= 253 && !strings.ContainsAny(s, " /") && !hasControl(s)
}

// regexpOK reports whether s compiles as RE2.
func regexpOK(s string) bool {
	_, err := regexp.Compile(s)
	return err == nil
}
