package daemon

import (
	"context"
	"fmt"
	"net"
	"net/http"

	"github.com/seesaw-lb/seesaw/desired"
)

// runMetrics serves /metrics and the status page until ctx is done,
// retrying when it cannot (keepServing). The address is the flag's, else
// node.metrics_address of the first valid config; "off" disables.
func (w *wiring) runMetrics(ctx context.Context, addr string) error {
	if addr == "off" {
		return nil
	}
	if addr == "" {
		var ok bool
		addr, ok = w.fromFirstConfig(ctx, func(n desired.Node) string {
			if !n.MetricsAddress.IsValid() {
				return desired.DefaultMetricsAddress.String()
			}
			return n.MetricsAddress.String()
		})
		if !ok {
			return nil
		}
	}
	return w.keepServing(ctx, partMetrics, func() (net.Listener, error) {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return nil, fmt.Errorf("metrics address %s: %w", addr, err)
		}
		return ln, nil
	}, func(ln net.Listener) error {
		w.setMetricsAt(ln.Addr().String())
		defer w.setMetricsAt("")
		w.log.Info("metrics listening", "address", ln.Addr().String())
		if err := serveHTTP(ctx, ln, w.metricsHandler()); err != nil {
			return fmt.Errorf("metrics address %s: %w", addr, err)
		}
		return nil
	})
}

// setMetricsAt records the metrics listener's address ("" while none).
func (w *wiring) setMetricsAt(addr string) {
	w.mu.Lock()
	w.metricsAt = addr
	w.mu.Unlock()
}

// metricsHandler serves /metrics and the read-only status page.
func (w *wiring) metricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", w.serveMetrics)
	addStatusPage(mux, w.status)
	return mux
}
