package daemon

import (
	"encoding/json"
	"fmt"
	"net"
	"time"

	"golang.org/x/net/websocket"
)

// cdpOrigin is the Origin the DevTools client sends; Chromium accepts it
// because it is started with --remote-allow-origins set to it.
const cdpOrigin = "http://127.0.0.1"

// cdpConn is a minimal Chrome DevTools Protocol client: JSON commands over
// one websocket, answered by id; events are read and ignored.
type cdpConn struct {
	ws   *websocket.Conn
	next int
}

// dialCDP connects to a DevTools websocket (a page's webSocketDebuggerUrl).
func dialCDP(url string) (*cdpConn, error) {
	cfg, err := websocket.NewConfig(url, cdpOrigin)
	if err != nil {
		return nil, fmt.Errorf("devtools %s: %w", url, err)
	}
	cfg.Dialer = &net.Dialer{Timeout: 10 * time.Second}
	ws, err := websocket.DialConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("devtools %s: %w", url, err)
	}
	return &cdpConn{ws: ws}, nil
}

// call sends one command and decodes its result into out (nil: ignored),
// waiting at most 10 s for the answer.
func (c *cdpConn) call(method string, params any, out any) error {
	c.next++
	id := c.next
	if err := c.ws.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		return err
	}
	if err := websocket.JSON.Send(c.ws, map[string]any{"id": id, "method": method, "params": params}); err != nil {
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
			return fmt.Errorf("devtools %s: receive: %w", method, err)
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
		return fmt.Errorf("evaluate %q: %s %s", expr, e.Text, e.Exception.Description)
	}
	return json.Unmarshal(r.Result.Value, out)
}

func (c *cdpConn) close() error { return c.ws.Close() }
