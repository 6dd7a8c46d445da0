package daemon

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/seesaw-lb/seesaw/checks"
)

// TestCheckDurationHistogram runs a real engine wired as the daemon wires
// it (OnResult: metrics.checkDone) against a loopback listener and a
// closed port, and requires seesaw_check_duration_seconds to count exactly
// the checks the engine completed, by type and result.
func TestCheckDurationHistogram(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go acceptAndClose(ln)
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := netip.MustParseAddrPort(closed.Addr().String())
	closed.Close()

	m := newMetrics(&wiring{})
	e := checks.New(checks.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), OnResult: m.checkDone})
	spec := &checks.Spec{Type: checks.TypeTCP, Interval: 10 * time.Millisecond, Timeout: time.Second, Rise: 1, Fall: 1}
	up := netip.MustParseAddrPort(ln.Addr().String())
	err = e.Update([]checks.Check{
		{Target: checks.Target{Address: up.Addr(), Port: up.Port()}, Spec: spec},
		{Target: checks.Target{Address: closedAddr.Addr(), Port: closedAddr.Port()}, Spec: spec},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.Run(ctx); close(done) }()
	go func() {
		for range e.Events() {
		}
	}()
	for i := 0; i < 500 && e.Stats().Completed < 20; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	st := e.Stats()
	if st.Completed < 20 {
		t.Fatalf("engine completed %d checks in 5 s, want ≥ 20", st.Completed)
	}
	got := histogramCounts(t, m.checkTime)
	want := map[string]uint64{"tcp/success": st.Completed - st.Failed, "tcp/failure": st.Failed}
	for k, n := range want {
		if got[k] != n || n == 0 {
			t.Errorf("seesaw_check_duration_seconds{%s} counts %d, want %d (non-zero; engine stats %+v)", k, got[k], n, st)
		}
	}
}

// histogramCounts gathers h and returns its sample count by "type/result".
func histogramCounts(t *testing.T, h *prometheus.HistogramVec) map[string]uint64 {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(h)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]uint64{}
	for _, mf := range mfs {
		for _, mt := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range mt.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			out[labels["type"]+"/"+labels["result"]] = mt.GetHistogram().GetSampleCount()
		}
	}
	return out
}
