package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/websocket"
)

// cdpOrigin is the Origin the DevTools client sends; Chromium accepts it
// because it is started with --remote-allow-origins set to it.
const cdpOrigin = "http://127.0.0.1"

const (
	// cdpConnectTimeout bounds connecting to a DevTools websocket, retries
	// included.
	cdpConnectTimeout = 30 * time.Second
	// cdpCallTimeout bounds the wait for the answer to one command.
	cdpCallTimeout = 10 * time.Second
	// cdpLoadTimeout bounds a navigation: the answer to Page.navigate and
	// then the wait for the page's load event.
	cdpLoadTimeout = 30 * time.Second
)

// errBrowserGone is returned by poll when the browser exited.
var errBrowserGone = errors.New("the browser exited")

// poll calls try every interval until it returns nil, timeout has passed
// or gone is closed (nil: never). It returns the number of tries and, when
// try never succeeded, its last error (wrapped in errBrowserGone if the
// browser exited).
func poll(timeout, interval time.Duration, gone <-chan struct{}, try func() error) (int, error) {
	deadline := time.Now().Add(timeout)
	for n := 1; ; n++ {
		err := try()
		if err == nil {
			return n, nil
		}
		select {
		case <-gone:
			return n, fmt.Errorf("%w (last: %v)", errBrowserGone, err)
		default:
		}
		if time.Now().Add(interval).After(deadline) {
			return n, err
		}
		select {
		case <-gone:
			return n, fmt.Errorf("%w (last: %v)", errBrowserGone, err)
		case <-time.After(interval):
		}
	}
}

// cdpConn is a minimal Chrome DevTools Protocol client: JSON commands over
// one websocket, answered by id; events are read and ignored. After a
// failed send or receive the websocket is closed (its stream may be cut in
// the middle of a message) and the next command connects again.
type cdpConn struct {
	url  string          // the page's webSocketDebuggerUrl
	gone <-chan struct{} // closed when the browser exited (nil: never)
	ws   *websocket.Conn // nil while not connected
	next int
}

// dialCDP connects to a DevTools websocket (a page's webSocketDebuggerUrl).
// gone, if not nil, is closed when the browser exited.
func dialCDP(url string, gone <-chan struct{}) (*cdpConn, error) {
	c := &cdpConn{url: url, gone: gone}
	if err := c.connect(); err != nil {
		return nil, err
	}
	return c, nil
}

// connect opens the websocket, retrying refused or unanswered attempts for
// at most cdpConnectTimeout; each attempt, handshake included, gets 10 s.
func (c *cdpConn) connect() error {
	cfg, err := websocket.NewConfig(c.url, cdpOrigin)
	if err != nil {
		return fmt.Errorf("devtools %s: %w", c.url, err)
	}
	n, err := poll(cdpConnectTimeout, 200*time.Millisecond, c.gone, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		ws, err := cfg.DialContext(ctx)
		if err == nil {
			c.ws = ws
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("devtools connect to %s: %d attempts in at most %v: %w", c.url, n, cdpConnectTimeout, err)
	}
	return nil
}

// drop closes the websocket; the next command connects again.
func (c *cdpConn) drop() {
	if c.ws != nil {
		c.ws.Close()
		c.ws = nil
	}
}

// call sends one command and decodes its result into out (nil: ignored),
// waiting at most cdpCallTimeout for the answer.
func (c *cdpConn) call(method string, params any, out any) error {
	return c.callWithin(cdpCallTimeout, method, params, out)
}

// callWithin is call with the answer awaited for at most timeout.
func (c *cdpConn) callWithin(timeout time.Duration, method string, params any, out any) error {
	if c.ws == nil {
		if err := c.connect(); err != nil {
			return fmt.Errorf("devtools %s: %w", method, err)
		}
	}
	c.next++
	id := c.next
	if err := c.ws.SetDeadline(time.Now().Add(timeout)); err != nil {
		c.drop()
		return fmt.Errorf("devtools %s: %w", method, err)
	}
	if err := websocket.JSON.Send(c.ws, map[string]any{"id": id, "method": method, "params": params}); err != nil {
		c.drop()
		return fmt.Errorf("devtools %s: send: %w", method, err)
	}
	for {
		var m struct {
			ID     int             `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  *struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := websocket.JSON.Receive(c.ws, &m); err != nil {
			c.drop()
			return fmt.Errorf("devtools %s: no answer within %v: %w", method, timeout, err)
		}
		switch {
		case m.ID != id: // an event or a late answer
		case m.Error != nil:
			return fmt.Errorf("devtools %s: error %d: %s", method, m.Error.Code, m.Error.Message)
		case out == nil:
			return nil
		default:
			return json.Unmarshal(m.Result, out)
		}
	}
}

// eval runs a JavaScript expression in the page and decodes its value
// (the expression must return JSON-serialisable data) into out.
func (c *cdpConn) eval(expr string, out any) error {
	var r struct {
		Result struct {
			Type  string          `json:"type"`
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	if err := c.call("Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true}, &r); err != nil {
		return err
	}
	if e := r.ExceptionDetails; e != nil {
		return fmt.Errorf("evaluate %s: %s %s", shortJS(expr), e.Text, e.Exception.Description)
	}
	if len(r.Result.Value) == 0 {
		return fmt.Errorf("evaluate %s: no value (result type %q)", shortJS(expr), r.Result.Type)
	}
	return json.Unmarshal(r.Result.Value, out)
}

// navigate loads url in the page and waits until its load event has fired
// (document.readyState "complete" with location.href at url), each step
// bounded by cdpLoadTimeout.
func (c *cdpConn) navigate(url string) error {
	var r struct {
		ErrorText string `json:"errorText"`
	}
	if err := c.callWithin(cdpLoadTimeout, "Page.navigate", map[string]any{"url": url}, &r); err != nil {
		return err
	}
	if r.ErrorText != "" {
		return fmt.Errorf("navigate to %s: %s", url, r.ErrorText)
	}
	n, err := poll(cdpLoadTimeout, 50*time.Millisecond, c.gone, func() error {
		var p struct{ Href, ReadyState string }
		if err := c.eval(`({Href: location.href, ReadyState: document.readyState})`, &p); err != nil {
			return err
		}
		if !strings.HasPrefix(p.Href, url) || p.ReadyState != "complete" {
			return fmt.Errorf("the page is at %s, readyState %q", p.Href, p.ReadyState)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("navigate to %s: not loaded after %d reads in at most %v: %w", url, n, cdpLoadTimeout, err)
	}
	return nil
}

// describe says where the page is and the start of its text, for failure
// messages; it never fails.
func (c *cdpConn) describe() string {
	var s string
	err := c.eval(`location.href + " (" + document.readyState + "): " + (document.body ? document.body.innerText : "").slice(0, 400)`, &s)
	if err != nil {
		return "unknown: " + err.Error()
	}
	return s
}

// shortJS is the start of a JavaScript expression on one line.
func shortJS(expr string) string {
	s := strings.Join(strings.Fields(expr), " ")
	if len(s) > 60 {
		s = s[:60] + "…"
	}
	return fmt.Sprintf("%q", s)
}

func (c *cdpConn) close() error {
	if c.ws == nil {
		return nil
	}
	return c.ws.Close()
}

// TestCDPCallReconnects: a command that gets no answer in time fails
// naming the command, and the next command is sent on a new connection to
// the same websocket rather than on the one the unanswered answer may
// still arrive on.
func TestCDPCallReconnects(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewServer(websocket.Handler(func(ws *websocket.Conn) {
		n := conns.Add(1)
		for {
			var m struct {
				ID     int    `json:"id"`
				Method string `json:"method"`
			}
			if err := websocket.JSON.Receive(ws, &m); err != nil {
				return
			}
			if n == 1 {
				continue // the first connection never answers
			}
			websocket.JSON.Send(ws, map[string]any{"id": m.ID, "result": map[string]any{"conn": n}})
		}
	}))
	defer srv.Close()
	c, err := dialCDP("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	err = c.callWithin(100*time.Millisecond, "Runtime.evaluate", nil, nil)
	if err == nil || !strings.Contains(err.Error(), "Runtime.evaluate: no answer within 100ms") {
		t.Fatalf("unanswered command: %v", err)
	}
	var r struct{ Conn int }
	if err := c.call("Runtime.evaluate", nil, &r); err != nil || r.Conn != 2 {
		t.Fatalf("the next command: answered on connection %d, %v; want a new connection 2", r.Conn, err)
	}
}
