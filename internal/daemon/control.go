package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/seesaw-lb/seesaw/desired"
)

// DefaultControlSocket is the control socket unless configured otherwise.
const DefaultControlSocket = desired.DefaultControlSocket

// runControl serves the control socket until ctx is done. The path is the
// flag's, else node.control_socket of the first valid config.
func (w *wiring) runControl(ctx context.Context, path string) error {
	if path == "" {
		var ok bool
		if path, ok = w.fromFirstConfig(ctx, func(n desired.Node) string { return n.ControlSocket }); !ok {
			return nil
		}
		if path == "" {
			path = DefaultControlSocket
		}
	}
	ln, err := listenControl(path)
	if err != nil {
		return err
	}
	defer os.Remove(path)
	w.log.Info("control socket listening", "path", path)
	if err := serveHTTP(ctx, ln, w.controlHandler()); err != nil {
		return fmt.Errorf("control socket %s: %w", path, err)
	}
	return nil
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

// serveHTTP serves h on ln until ctx is done.
func serveHTTP(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	stop := context.AfterFunc(ctx, func() { srv.Close() })
	defer stop()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// listenControl listens on the unix socket at path, mode 0600 (root only):
// a stale socket from a killed daemon is replaced.
func listenControl(path string) (net.Listener, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	if c, err := net.Dial("unix", path); err == nil {
		c.Close()
		return nil, fmt.Errorf("control socket %s: another daemon is listening", path)
	}
	os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	return ln, nil
}

// controlReply is the JSON answer of every control request.
type controlReply struct {
	OK     bool          `json:"ok"`
	Error  string        `json:"error,omitempty"`
	Status *StatusReport `json:"status,omitempty"`
}

// controlHandler routes GET /status, POST /failover, POST /drain and
// POST /enable (?backend=ADDR[:PORT]).
func (w *wiring) controlHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /status", func(rw http.ResponseWriter, _ *http.Request) {
		st := w.status()
		reply(rw, controlReply{OK: true, Status: &st})
	})
	mux.HandleFunc("POST /failover", func(rw http.ResponseWriter, _ *http.Request) {
		reply(rw, result(w.failover()))
	})
	mux.HandleFunc("POST /drain", func(rw http.ResponseWriter, r *http.Request) {
		reply(rw, result(w.override(r.URL.Query().Get("backend"), true)))
	})
	mux.HandleFunc("POST /enable", func(rw http.ResponseWriter, r *http.Request) {
		reply(rw, result(w.override(r.URL.Query().Get("backend"), false)))
	})
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

// failover asks the VRRP master to step down.
func (w *wiring) failover() error {
	w.mu.Lock()
	node := w.node
	w.mu.Unlock()
	if node == nil {
		return errors.New("failover: no vrrp section: this node is standalone")
	}
	return node.StepDown()
}
