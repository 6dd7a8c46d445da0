package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"syscall"
	"time"
)

// ErrNoDaemon is the error (errors.Is) of a request when no daemon listens
// on the control socket: the socket does not exist or refuses connections
// (left behind by a daemon that was killed).
var ErrNoDaemon = errors.New("no daemon is listening")

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

// Failover asks the daemon to step down from every VRRP instance it is
// master of.
func (c *Client) Failover() error { return c.FailoverInstance("") }

// FailoverInstance asks the daemon's master of the VRRP instance named to
// step down ("": every instance it is master of).
func (c *Client) FailoverInstance(instance string) error {
	var q url.Values
	if instance != "" {
		q = url.Values{"instance": {instance}}
	}
	_, err := c.call(http.MethodPost, "/failover", q)
	return err
}

// PlanInputs returns the inputs of the daemon's next round (PlanInputs).
func (c *Client) PlanInputs() (PlanInputs, error) {
	r, err := c.call(http.MethodGet, "/plan-inputs", nil)
	if err != nil {
		return PlanInputs{}, err
	}
	if r.PlanInputs == nil {
		return PlanInputs{}, fmt.Errorf("control socket %s: the reply to /plan-inputs holds no inputs", c.socket)
	}
	return *r.PlanInputs, nil
}

// Apply asks the daemon to reload its configuration and waits, until ctx
// is done, for the round that applies it; a rejected config is a result
// (ApplyRejected), not an error.
func (c *Client) Apply(ctx context.Context) (ApplyResult, error) {
	r, err := c.callContext(ctx, http.MethodPost, "/apply", nil)
	if err != nil {
		return ApplyResult{}, err
	}
	if r.Apply == nil {
		return ApplyResult{}, fmt.Errorf("control socket %s: the reply to /apply holds no result", c.socket)
	}
	return *r.Apply, nil
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

// call sends one request, bounded by the client's 10 s timeout, and
// decodes the reply; a refused request is an error.
func (c *Client) call(method, path string, q url.Values) (controlReply, error) {
	return c.do(context.Background(), c.http, method, path, q)
}

// callContext is call bounded by ctx instead of the client's timeout.
func (c *Client) callContext(ctx context.Context, method, path string, q url.Values) (controlReply, error) {
	return c.do(ctx, &http.Client{Transport: c.http.Transport}, method, path, q)
}

func (c *Client) do(ctx context.Context, hc *http.Client, method, path string, q url.Values) (controlReply, error) {
	u := url.URL{Scheme: "http", Host: "seesaw", Path: path, RawQuery: q.Encode()}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
	if err != nil {
		return controlReply{}, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ECONNREFUSED) || socketMissing(c.socket) {
			err = fmt.Errorf("%w (%w)", ErrNoDaemon, err)
		}
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

// socketMissing reports whether nothing exists at path (some platforms
// report a dial to a missing unix socket without fs.ErrNotExist).
func socketMissing(path string) bool {
	_, err := os.Lstat(path)
	return errors.Is(err, fs.ErrNotExist)
}
