package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"
)

// Client talks to a running daemon over its control socket: the requests
// the control server routes (controlHandler).
type Client struct {
	socket string
	http   *http.Client
}

// NewClient returns a client of the daemon listening on the unix socket at
// path; nothing is dialled until a request.
func NewClient(path string) *Client {
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", path)
	}}
	return &Client{socket: path, http: &http.Client{Transport: tr, Timeout: 10 * time.Second}}
}

// Status returns the daemon's status report.
func (c *Client) Status() (StatusReport, error) {
	r, err := c.call(http.MethodGet, "/status", nil)
	if err != nil || r.Status == nil {
		return StatusReport{}, err
	}
	return *r.Status, nil
}

// Failover asks the daemon's VRRP master to step down.
func (c *Client) Failover() error {
	_, err := c.call(http.MethodPost, "/failover", nil)
	return err
}

// Drain drains backend (ADDRESS or ADDRESS:PORT) by hand; the daemon saves
// the override beside its config, so it survives a restart.
func (c *Client) Drain(backend string) error {
	_, err := c.call(http.MethodPost, "/drain", url.Values{"backend": {backend}})
	return err
}

// Enable undoes Drain of backend.
func (c *Client) Enable(backend string) error {
	_, err := c.call(http.MethodPost, "/enable", url.Values{"backend": {backend}})
	return err
}

// call sends one request and decodes the reply; a refused request is an error.
func (c *Client) call(method, path string, q url.Values) (controlReply, error) {
	u := url.URL{Scheme: "http", Host: "seesaw", Path: path, RawQuery: q.Encode()}
	req, err := http.NewRequest(method, u.String(), nil)
	if err != nil {
		return controlReply{}, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return controlReply{}, fmt.Errorf("control socket %s: %w", c.socket, err)
	}
	defer resp.Body.Close()
	var r controlReply
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&r); err != nil {
		return controlReply{}, fmt.Errorf("control socket %s: read reply to %s: %w", c.socket, path, err)
	}
	if !r.OK {
		return r, fmt.Errorf("%s", r.Error)
	}
	return r, nil
}
