package daemon

import (
	"net/http"
	"net/http/pprof"
)

// handleProfiles routes GET /debug/pprof/ on the control socket: the Go
// runtime's profiles (net/http/pprof: profile?seconds=N for CPU, heap,
// allocs, goroutine, trace), for finding where a running daemon spends its
// CPU and memory without restarting it. A CPU profile or a trace costs
// CPU while it runs, so they are allowed to those who may change state
// (root, the daemon's user, --control-group), and every request is logged
// with its peer.
func (w *wiring) handleProfiles(mux *http.ServeMux, access controlAccess) {
	guard := func(h http.HandlerFunc) http.HandlerFunc {
		return func(rw http.ResponseWriter, r *http.Request) {
			p := peerFrom(r)
			attrs := []any{"path", r.URL.Path, "query", r.URL.RawQuery, "peer_known", p.known, "peer_pid", p.pid, "peer_uid", p.uid}
			if err := access.allows(p); err != nil {
				w.log.Warn("control profile refused", append(attrs, "error", err.Error())...)
				http.Error(rw, "profile: "+err.Error(), http.StatusForbidden)
				return
			}
			w.log.Info("control profile", attrs...)
			h(rw, r)
		}
	}
	mux.HandleFunc("GET /debug/pprof/", guard(pprof.Index))
	mux.HandleFunc("GET /debug/pprof/cmdline", guard(pprof.Cmdline))
	mux.HandleFunc("GET /debug/pprof/profile", guard(pprof.Profile))
	mux.HandleFunc("GET /debug/pprof/symbol", guard(pprof.Symbol))
	mux.HandleFunc("GET /debug/pprof/trace", guard(pprof.Trace))
}
