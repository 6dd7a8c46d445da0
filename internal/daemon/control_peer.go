package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
)

// peerKey is the request context key of the connection's peer.
type peerKey struct{}

// withPeers makes a server put each connection's peer (peerOf) into its
// requests' context.
func withPeers(srv *http.Server) {
	srv.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		return context.WithValue(ctx, peerKey{}, peerOf(c))
	}
}

// peerFrom returns the peer of r's connection (unknown if none was recorded).
func peerFrom(r *http.Request) peer {
	p, _ := r.Context().Value(peerKey{}).(peer)
	return p
}

// changing wraps a state-changing command: it is refused unless access
// allows the peer, and logged with the peer's pid, uid and gid either way.
func (w *wiring) changing(access controlAccess, cmd string, run func(*http.Request) error) http.HandlerFunc {
	return w.changingWith(access, cmd, func(r *http.Request) (controlReply, error) {
		return controlReply{OK: true}, run(r)
	})
}

// changingWith is changing for a command whose reply carries a result.
func (w *wiring) changingWith(access controlAccess, cmd string, run func(*http.Request) (controlReply, error)) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		p := peerFrom(r)
		attrs := []any{"command", cmd, "backend", r.URL.Query().Get("backend"), "peer_known", p.known,
			"peer_pid", p.pid, "peer_uid", p.uid, "peer_gid", p.gid}
		if err := access.allows(p); err != nil {
			err = fmt.Errorf("%s: %w", cmd, err)
			w.log.Warn("control command refused", append(attrs, "error", err.Error())...)
			reply(rw, result(err))
			return
		}
		rep, err := run(r)
		level, outcome := slog.LevelInfo, "ok"
		if err != nil {
			level, outcome, rep = slog.LevelWarn, err.Error(), result(err)
		}
		w.log.Log(r.Context(), level, "control command", append(attrs, "result", outcome)...)
		reply(rw, rep)
	}
}
