package daemon

import (
	"bufio"
	"compress/gzip"
	"io"
	"net/http"
	"strings"

	"github.com/prometheus/common/expfmt"
)

// textFormat is the exposition format /metrics writes.
var textFormat = expfmt.NewFormat(expfmt.TypeTextPlain)

// serveMetrics writes /metrics in the Prometheus text format, gzipped when
// the scraper accepts it (Prometheus does): the registry's metrics, then
// seesaw_backend_healthy and the traffic families from one read of the
// kernel (traffic.read), written straight from the dump.
func (w *wiring) serveMetrics(rw http.ResponseWriter, r *http.Request) {
	snap, terr := w.traffic.read(r.Context())
	if terr != nil {
		w.metrics.trafficErrors.Inc()
		w.log.Warn("metrics: no traffic counters in this scrape", "error", terr.Error())
	}
	mfs, err := w.metrics.reg.Gather()
	if err != nil {
		http.Error(rw, "gather metrics: "+err.Error(), http.StatusInternalServerError)
		return
	}
	ls := w.loop.Status()
	w.mu.Lock()
	cfg, health := w.cfg, w.healthLocked(w.plan)
	w.mu.Unlock()

	rw.Header().Set("Content-Type", string(textFormat))
	var out io.Writer = rw
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		rw.Header().Set("Content-Encoding", "gzip")
		gz, _ := gzip.NewWriterLevel(rw, gzip.BestSpeed) // a valid level: no error
		defer gz.Close()
		out = gz
	}
	bw := bufio.NewWriterSize(out, 64<<10)
	enc := expfmt.NewEncoder(bw, textFormat)
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			return // the scraper went away
		}
	}
	if err := writeHealth(bw, cfg, health); err != nil {
		return
	}
	if terr == nil {
		if err := writeTraffic(bw, snap, serviceNames(ls.Target)); err != nil {
			return
		}
	}
	_ = bw.Flush()
}
