package checks

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// httpChecker sends one request and judges the status and, optionally, the
// body. Redirects are never followed; connections are closed after each
// check unless ReuseConnections is set, in which case each target gets its
// own transport (so marked checks to one VIP never share a connection).
type httpChecker struct {
	scheme   string
	method   string
	path     string
	host     string
	headers  []Header
	statuses []StatusRange
	body     *matcher
	proxy    *url.URL
	tls      *tls.Config
	reuse    bool
	idle     time.Duration

	shared *http.Client // used when connections are not reused

	mu  sync.Mutex
	per map[Target]*http.Client // used when connections are reused
}

// targetKey carries the Target to the transport's dial function.
type targetKey struct{}

func newHTTPChecker(s Spec, m *matcher) (*httpChecker, error) {
	o := s.HTTP
	c := &httpChecker{scheme: string(s.Type), method: o.Method, path: o.Path, host: o.Host,
		headers: o.Headers, statuses: o.Statuses, body: m, reuse: o.ReuseConnections,
		idle: max(3*s.Interval, 5*time.Second)}
	if o.Proxy != "" {
		u, err := url.Parse(o.Proxy)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("%w: http proxy %q: not a URL with a host", ErrInvalidSpec, o.Proxy)
		}
		c.proxy = u
	}
	if s.Type == TypeHTTPS {
		topts := s.TLS
		if topts.ServerName == "" && o.Host != "" {
			h, _, err := net.SplitHostPort(o.Host)
			if err != nil {
				h = o.Host
			}
			topts.ServerName = h
		}
		cfg, err := tlsConfig(topts)
		if err != nil {
			return nil, err
		}
		c.tls = cfg
	}
	if c.reuse {
		c.per = make(map[Target]*http.Client)
	} else {
		c.shared = c.newClient()
	}
	return c, nil
}

// newClient builds a client that never follows redirects and dials with
// the target's socket mark.
func (c *httpChecker) newClient() *http.Client {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			t, _ := ctx.Value(targetKey{}).(Target)
			return dialer(t).DialContext(ctx, network, addr)
		},
		TLSClientConfig:        c.tls,
		DisableKeepAlives:      !c.reuse,
		MaxIdleConnsPerHost:    1,
		IdleConnTimeout:        c.idle,
		DisableCompression:     true,
		MaxResponseHeaderBytes: maxReply,
		ForceAttemptHTTP2:      false,
	}
	if c.proxy != nil {
		tr.Proxy = http.ProxyURL(c.proxy)
	}
	return &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// client returns the client to use for t.
func (c *httpChecker) client(t Target) *http.Client {
	if !c.reuse {
		return c.shared
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	cl, ok := c.per[t]
	if !ok {
		cl = c.newClient()
		c.per[t] = cl
	}
	return cl
}

func (c *httpChecker) check(ctx context.Context, t Target) error {
	u := c.scheme + "://" + t.AddrPort().String() + c.path
	req, err := http.NewRequestWithContext(context.WithValue(ctx, targetKey{}, t), c.method, u, nil)
	if err != nil {
		return fmt.Errorf("build request %s %s: %w", c.method, u, err)
	}
	if c.host != "" {
		req.Host = c.host
	}
	for _, h := range c.headers {
		req.Header.Add(h.Name, h.Value)
	}
	resp, err := c.client(t).Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", c.method, u, timeoutError(err))
	}
	defer c.finish(resp)
	if !statusOK(c.statuses, resp.StatusCode) {
		return fmt.Errorf("%s %s: %w: status %d, want %s", c.method, u, ErrMismatch, resp.StatusCode, describeStatuses(c.statuses))
	}
	if c.body.empty() {
		return nil
	}
	if err := c.body.readMatch(resp.Body, maxReply); err != nil {
		return fmt.Errorf("%s %s: body: %w", c.method, u, err)
	}
	return nil
}

// finish closes the body; a reused connection is first drained (bounded)
// so the transport can keep it.
func (c *httpChecker) finish(resp *http.Response) {
	if c.reuse {
		io.Copy(io.Discard, io.LimitReader(resp.Body, maxReply))
	}
	resp.Body.Close()
}

// release forgets the per-target client of a target that is no longer checked.
func (c *httpChecker) release(t Target) {
	if !c.reuse {
		return
	}
	c.mu.Lock()
	cl := c.per[t]
	delete(c.per, t)
	c.mu.Unlock()
	if cl != nil {
		cl.CloseIdleConnections()
	}
}

func (c *httpChecker) close() {
	if c.shared != nil {
		c.shared.CloseIdleConnections()
	}
	c.mu.Lock()
	for t, cl := range c.per {
		cl.CloseIdleConnections()
		delete(c.per, t)
	}
	c.mu.Unlock()
}

// statusOK reports whether code falls in one of the ranges.
func statusOK(ranges []StatusRange, code int) bool {
	for _, r := range ranges {
		if code >= r.First && code <= r.Last {
			return true
		}
	}
	return false
}

// describeStatuses renders ranges as "200, 301-308".
func describeStatuses(ranges []StatusRange) string {
	s := ""
	for i, r := range ranges {
		if i > 0 {
			s += ", "
		}
		if r.First == r.Last {
			s += fmt.Sprint(r.First)
		} else {
			s += fmt.Sprintf("%d-%d", r.First, r.Last)
		}
	}
	return s
}
