package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/seesaw-lb/seesaw/desired"
)

// DefaultControlSocket is the control socket unless configured otherwise.
const DefaultControlSocket = desired.DefaultControlSocket

// runControl serves the control socket until ctx is done, retrying when it
// cannot (keepServing). The path is the flag's, else node.control_socket
// of the first valid config.
func (w *wiring) runControl(ctx context.Context, path, group string) error {
	if path == "" {
		var ok bool
		if path, ok = w.fromFirstConfig(ctx, func(n desired.Node) string { return n.ControlSocket }); !ok {
			return nil
		}
		if path == "" {
			path = DefaultControlSocket
		}
	}
	access := noGroup
	return w.keepServing(ctx, partControl, func() (net.Listener, error) {
		var err error
		if access, err = lookupControlAccess(group); err != nil {
			return nil, fmt.Errorf("control socket %s: %w", path, err)
		}
		return listenControl(path, access)
	},
		func(ln net.Listener) error {
			defer os.Remove(path)
			w.log.Info("control socket listening", "path", path, "group", access.group)
			if err := serveHTTP(ctx, ln, w.controlHandlerFor(access), withPeers); err != nil {
				return fmt.Errorf("control socket %s: %w", path, err)
			}
			return nil
		})
}

// fromFirstConfig waits for the first valid config and returns get of its
// node section; ok is false when ctx ended first.
func (w *wiring) fromFirstConfig(ctx context.Context, get func(desired.Node) string) (string, bool) {
	select {
	case <-ctx.Done():
		return "", false
	case <-w.ready:
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return get(w.raw.Node), true
}

// serveHTTP serves h on ln until ctx is done; opts adjust the server.
func serveHTTP(ctx context.Context, ln net.Listener, h http.Handler, opts ...func(*http.Server)) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	for _, o := range opts {
		o(srv)
	}
	stop := context.AfterFunc(ctx, func() { srv.Close() })
	defer stop()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// controlReply is the JSON answer of every control request.
type controlReply struct {
	OK     bool          `json:"ok"`
	Error  string        `json:"error,omitempty"`
	Status *StatusReport `json:"status,omitempty"`
	// PlanInputs answers GET /plan-inputs, Apply POST /apply.
	PlanInputs *PlanInputs  `json:"plan_inputs,omitempty"`
	Apply      *ApplyResult `json:"apply,omitempty"`
}

// controlHandler is controlHandlerFor without a group.
func (w *wiring) controlHandler() http.Handler { return w.controlHandlerFor(noGroup) }

// controlHandlerFor routes GET /status, GET /plan-inputs, POST /apply,
// POST /failover, POST /drain and POST /enable (?backend=ADDR[:PORT]); the
// state-changing ones are logged with the peer's credentials and allowed
// as access says (changing).
func (w *wiring) controlHandlerFor(access controlAccess) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /status", func(rw http.ResponseWriter, _ *http.Request) {
		st := w.status()
		reply(rw, controlReply{OK: true, Status: &st})
	})
	mux.HandleFunc("GET /plan-inputs", func(rw http.ResponseWriter, r *http.Request) {
		p, err := w.planInputs(r.Context())
		if err != nil {
			reply(rw, result(fmt.Errorf("plan inputs: %w", err)))
			return
		}
		reply(rw, controlReply{OK: true, PlanInputs: &p})
	})
	mux.HandleFunc("POST /apply", w.applyHandler(access))
	mux.HandleFunc("POST /failover", w.changing(access, "failover", func(r *http.Request) error {
		return w.failover(r.URL.Query().Get("instance"))
	}))
	mux.HandleFunc("POST /drain", w.changing(access, "drain", func(r *http.Request) error {
		return w.override(r.URL.Query().Get("backend"), true)
	}))
	mux.HandleFunc("POST /enable", w.changing(access, "enable", func(r *http.Request) error {
		return w.override(r.URL.Query().Get("backend"), false)
	}))
	w.handleNodeDrain(mux, access)
	w.handleProfiles(mux, access)
	return mux
}

func result(err error) controlReply {
	if err != nil {
		return controlReply{Error: err.Error()}
	}
	return controlReply{OK: true}
}

func reply(rw http.ResponseWriter, r controlReply) {
	rw.Header().Set("Content-Type", "application/json")
	if !r.OK {
		rw.WriteHeader(http.StatusConflict)
	}
	_ = json.NewEncoder(rw).Encode(r)
}
