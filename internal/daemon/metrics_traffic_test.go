package daemon

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/seesaw-lb/seesaw/kernel"
)

// countedStats is a kernel whose dumps carry made-up counters (the fake
// kernel's are zero) and are counted.
type countedStats struct {
	kernel.IPVS
	mu    sync.Mutex
	dumps int
}

func (k *countedStats) Snapshot(ctx context.Context) (kernel.Snapshot, error) {
	s, err := k.IPVS.Snapshot(ctx)
	k.mu.Lock()
	k.dumps++
	k.mu.Unlock()
	for i := range s.Services {
		svc := &s.Services[i]
		svc.Stats = kernel.Stats{Conns: 300, InPackets: 3000, OutPackets: 2000, InBytes: 300000, OutBytes: 900000}
		for j := range svc.Destinations {
			d := &svc.Destinations[j]
			n := uint64(j + 1)
			d.Conns = kernel.Conns{Active: uint32(10 * n), Inactive: uint32(n)}
			d.Stats = kernel.Stats{Conns: 100 * n, InPackets: 1000 * n, OutPackets: 700 * n, InBytes: 100000 * n,
				OutBytes: 300000 * n, CPS: 5 * n, InBPS: 4000 * n, OutBPS: 9000 * n}
		}
	}
	return s, err
}

func (k *countedStats) count() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.dumps
}

func TestTrafficMetricsAndStatus(t *testing.T) {
	d, _ := fakeDeps(t)
	var traffic *countedStats
	open := d.openKernel
	opened := 0
	d.openKernel = func() (kernel.IPVS, error) {
		k, err := open()
		if opened++; opened == 2 { // the second socket is the traffic reader's
			traffic = &countedStats{IPVS: k}
			return traffic, err
		}
		return k, err
	}
	dir := writeConfig(t, map[string]string{"node.yaml": planNode, "web.yaml": webFile(1)})
	socket := filepath.Join(t.TempDir(), "ctl.sock")
	runTestDaemon(t, d, "--config-dir", dir, "--control-socket", socket, "--metrics-address", "127.0.0.1:0")
	eventually(t, "the metrics listener", func() bool { return ctl(socket, "status") == nil && statusOf(t, socket).Metrics != "" })
	eventually(t, "both destinations in the kernel", func() bool {
		return strings.Contains(scrape(t, statusOf(t, socket).Metrics), `backend="198.51.100.2:80"`)
	})

	before := traffic.count()
	bodies := make([]string, 5)
	var wg sync.WaitGroup
	for i := range bodies {
		wg.Go(func() { bodies[i] = scrape(t, statusOf(t, socket).Metrics) })
	}
	wg.Wait()
	if n := traffic.count() - before; n > 1 {
		t.Errorf("5 concurrent scrapes (and status requests) dumped the table %d times, want at most 1", n)
	}
	svc := `ipvs_service="tcp/192.0.2.10:80",service="web"`
	for _, line := range []string{
		`seesaw_ipvs_backend_connections_total{backend="198.51.100.1:80",` + svc + `} 100`,
		`seesaw_ipvs_backend_connections_total{backend="198.51.100.2:80",` + svc + `} 200`,
		`seesaw_ipvs_backend_active_connections{backend="198.51.100.2:80",` + svc + `} 20`,
		`seesaw_ipvs_backend_inactive_connections{backend="198.51.100.2:80",` + svc + `} 2`,
		`seesaw_ipvs_backend_packets_total{backend="198.51.100.1:80",direction="in",` + svc + `} 1000`,
		`seesaw_ipvs_backend_packets_total{backend="198.51.100.1:80",direction="out",` + svc + `} 700`,
		`seesaw_ipvs_backend_bytes_total{backend="198.51.100.2:80",direction="in",` + svc + `} 200000`,
		`seesaw_ipvs_backend_bytes_total{backend="198.51.100.2:80",direction="out",` + svc + `} 600000`,
		`seesaw_ipvs_service_connections_total{` + svc + `} 300`,
		`seesaw_ipvs_service_packets_total{direction="in",` + svc + `} 3000`,
		`seesaw_ipvs_service_bytes_total{direction="out",` + svc + `} 900000`,
		`seesaw_ipvs_service_active_connections{` + svc + `} 30`,
		`seesaw_ipvs_service_inactive_connections{` + svc + `} 3`,
		`seesaw_backend_healthy{backend="198.51.100.1",service="web"} 1`,
		`seesaw_ipvs_traffic_read_errors_total 0`,
	} {
		for i, body := range bodies {
			if !strings.Contains(body, line+"\n") {
				t.Errorf("scrape %d lacks %q", i, line)
			}
		}
	}
	// The whole body is one valid exposition: the scraper rejects a
	// family written twice or a malformed line.
	parser := expfmt.NewTextParser(model.UTF8Validation)
	if fams, err := parser.TextToMetricFamilies(strings.NewReader(bodies[0])); err != nil {
		t.Errorf("parse /metrics: %v", err)
	} else if n := len(fams["seesaw_ipvs_backend_bytes_total"].GetMetric()); n != 4 {
		t.Errorf("seesaw_ipvs_backend_bytes_total has %d series, want 4 (2 backends x 2 directions)", n)
	}
	if t.Failed() {
		t.Logf("metrics:\n%s", bodies[0])
	}

	b := statusOf(t, socket).Services[0].Backends[1]
	want := TrafficReport{Active: 20, Inactive: 2, Conns: 200, CPS: 10, InBPS: 8000, OutBPS: 18000}
	if b.Traffic == nil || *b.Traffic != want {
		t.Fatalf("status traffic of %s: %+v, want %+v", b.Address, b.Traffic, want)
	}
}
