package checks

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/miekg/dns"
)

// dnsChecker sends one query over UDP or TCP (no retries: the schedule
// retries) and judges the rcode and the answer section. A reply whose id
// differs from the query's is a failure (miekg/dns reports dns.ErrId).
type dnsChecker struct {
	name      string
	qtype     uint16
	rcode     int
	answers   []string
	transport string
}

func newDNSChecker(o DNSOptions) (*dnsChecker, error) {
	c := &dnsChecker{name: dns.Fqdn(o.Name), transport: o.Transport, answers: o.Answers}
	if _, ok := dns.IsDomainName(c.name); !ok || o.Name == "" {
		return nil, fmt.Errorf("%w: dns name %q is not a domain name", ErrInvalidSpec, o.Name)
	}
	qt, ok := dns.StringToType[strings.ToUpper(o.Type)]
	if !ok {
		return nil, fmt.Errorf("%w: dns type %q unknown", ErrInvalidSpec, o.Type)
	}
	c.qtype = qt
	rc, ok := dns.StringToRcode[strings.ToUpper(o.Rcode)]
	if !ok {
		return nil, fmt.Errorf("%w: dns rcode %q unknown", ErrInvalidSpec, o.Rcode)
	}
	c.rcode = rc
	if c.transport != "udp" && c.transport != "tcp" {
		return nil, fmt.Errorf("%w: dns transport %q: want udp or tcp", ErrInvalidSpec, o.Transport)
	}
	return c, nil
}

func (c *dnsChecker) check(ctx context.Context, t Target) error {
	what := fmt.Sprintf("dns %s %s over %s to %s", dns.TypeToString[c.qtype], c.name, c.transport, t)
	r, err := c.exchange(ctx, t)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if r.Rcode != c.rcode {
		return fmt.Errorf("%s: %w: rcode %s, want %s", what, ErrMismatch, dns.RcodeToString[r.Rcode], dns.RcodeToString[c.rcode])
	}
	got := answerData(r.Answer)
	for _, want := range c.answers {
		if !slices.Contains(got, normalizeRData(want)) {
			return fmt.Errorf("%s: %w: answer %q missing (got %q)", what, ErrMismatch, want, got)
		}
	}
	return nil
}

// exchange sends one query and returns the reply with the query's id. Over
// UDP a reply with another id is ignored (it may be spoofed or late) but
// named in the timeout error; over TCP it is a failure.
func (c *dnsChecker) exchange(ctx context.Context, t Target) (*dns.Msg, error) {
	q := new(dns.Msg)
	q.SetQuestion(c.name, c.qtype)
	conn, err := dialer(t).DialContext(ctx, c.transport, t.AddrPort().String())
	if err != nil {
		return nil, fmt.Errorf("connect: %w", timeoutError(err))
	}
	defer abort(conn)
	if d, ok := ctx.Deadline(); ok {
		conn.SetDeadline(d)
	}
	co := &dns.Conn{Conn: conn}
	if err := co.WriteMsg(q); err != nil {
		return nil, fmt.Errorf("send query: %w", timeoutError(err))
	}
	var ignored []uint16
	for {
		r, err := co.ReadMsg()
		switch {
		case err != nil && len(ignored) > 0:
			return nil, fmt.Errorf("read reply (ignored %d replies with id %d, want %d): %w", len(ignored), ignored[0], q.Id, timeoutError(err))
		case err != nil:
			return nil, fmt.Errorf("read reply: %w", timeoutError(err))
		case r.Id == q.Id:
			return r, nil
		case c.transport == "tcp":
			return nil, fmt.Errorf("%w: reply id %d, want %d", ErrMismatch, r.Id, q.Id)
		}
		ignored = append(ignored, r.Id)
	}
}

func (c *dnsChecker) close() {}

// answerData returns each record's data as text, without the header.
func answerData(rrs []dns.RR) []string {
	out := make([]string, 0, len(rrs))
	for _, rr := range rrs {
		s := strings.TrimPrefix(rr.String(), rr.Header().String())
		out = append(out, normalizeRData(s))
	}
	return out
}

// normalizeRData makes record data comparable: single spaces, lower case.
func normalizeRData(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}
