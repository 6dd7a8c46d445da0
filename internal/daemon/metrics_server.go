package daemon

import (
	"context"
	"fmt"
	"net"
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/seesaw-lb/seesaw/desired"
)

// runMetrics serves /metrics and the status page until ctx is done. The address is the flag's,
// else node.metrics_address of the first valid config; "off" disables.
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
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("metrics address %s: %w", addr, err)
	}
	w.mu.Lock()
	w.metricsAt = ln.Addr().String()
	w.mu.Unlock()
	w.log.Info("metrics listening", "address", ln.Addr().String())
	if err := serveHTTP(ctx, ln, w.metricsHandler()); err != nil {
		return fmt.Errorf("metrics address %s: %w", addr, err)
	}
	return nil
}

// metricsHandler serves /metrics and the read-only status page.
func (w *wiring) metricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(w.metrics.reg, promhttp.HandlerOpts{}))
	addStatusPage(mux, w.status)
	return mux
}
