package daemon

import (
	"bufio"
	"fmt"
	"io"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/seesaw-lb/seesaw/internal/benchrow"
	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/kerneltest"
)

const trafficBenchServices, trafficBenchBackends = 10000, 10

// trafficTable returns the ops that build services x backends in a kernel
// and the names the target gives those services.
func trafficTable(services, backends int) ([]kernel.Op, map[kernel.ServiceKey]string) {
	var ops []kernel.Op
	names := make(map[kernel.ServiceKey]string, services)
	for i := range services {
		vip := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		k := kernel.NewServiceKey(kernel.TCP, vip, 80)
		names[k] = fmt.Sprintf("svc-%05d", i)
		ops = append(ops, kernel.Op{Kind: kernel.AddService, Service: k, ServiceConfig: kernel.ServiceConfig{Scheduler: "wrr"}})
		for j := range backends {
			ops = append(ops, kernel.Op{Kind: kernel.AddDestination, Service: k,
				Destination:       kernel.NewDestinationKey(netip.AddrFrom4([4]byte{172, 16, byte(j), byte(i % 250)}), uint16(8000+i/250)),
				DestinationConfig: kernel.DestinationConfig{Forward: kernel.ForwardNAT, Weight: 1}})
		}
	}
	return ops, names
}

// scrapeTraffic writes the traffic metrics of snap as a scrape does
// (writeTraffic); it returns the bytes written.
func scrapeTraffic(tb testing.TB, snap kernel.Snapshot, names map[kernel.ServiceKey]string) int {
	cw := &countWriter{}
	bw := bufio.NewWriterSize(cw, 64<<10)
	if err := writeTraffic(bw, snap, names); err != nil {
		tb.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		tb.Fatal(err)
	}
	return cw.n
}

// scrapeConstMetrics is the peer: the same series built as client_golang
// const metrics, gathered by a registry and text encoded.
func scrapeConstMetrics(tb testing.TB, snap kernel.Snapshot, names map[kernel.ServiceKey]string) int {
	descs := map[string]*prometheus.Desc{}
	for _, f := range trafficFamilies {
		labels := []string{"service", "ipvs_service"}
		if f.dest {
			labels = append(labels, "backend")
		}
		if f.dir != "" {
			labels = append(labels, "direction")
		}
		descs[f.name] = prometheus.NewDesc(f.name, "peer", labels, nil)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectFunc(func(ch chan<- prometheus.Metric) {
		for i := range snap.Services {
			s := &snap.Services[i]
			name, ok := names[s.Key]
			if !ok {
				continue
			}
			key := s.Key.String()
			for _, f := range trafficFamilies {
				typ := prometheus.CounterValue
				if strings.HasSuffix(f.name, "connections") {
					typ = prometheus.GaugeValue
				}
				lv := []string{name, key}
				if !f.dest {
					if f.dir != "" {
						lv = append(lv, f.dir)
					}
					ch <- prometheus.MustNewConstMetric(descs[f.name], typ, float64(f.svc(s)), lv...)
					continue
				}
				for j := range s.Destinations {
					dl := append(append([]string(nil), lv...), s.Destinations[j].Key.String())
					if f.dir != "" {
						dl = append(dl, f.dir)
					}
					ch <- prometheus.MustNewConstMetric(descs[f.name], typ, float64(f.d(&s.Destinations[j])), dl...)
				}
			}
		}
	}))
	mfs, err := reg.Gather()
	if err != nil {
		tb.Fatal(err)
	}
	cw := &countWriter{}
	enc := expfmt.NewEncoder(cw, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			tb.Fatal(err)
		}
	}
	return cw.n
}

// collectFunc is an unchecked collector (no Describe): the registry takes
// what it collects as it comes.
type collectFunc func(chan<- prometheus.Metric)

func (collectFunc) Describe(chan<- *prometheus.Desc)      {}
func (f collectFunc) Collect(ch chan<- prometheus.Metric) { f(ch) }

type countWriter struct{ n int }

func (w *countWriter) Write(b []byte) (int, error) { w.n += len(b); return len(b), nil }

var _ io.Writer = (*countWriter)(nil)

// TestTrafficMetricsBench measures a scrape's traffic metrics at 10,000
// services x 10 backends: building and encoding the series from one dump,
// against the dump itself from the fake kernel through the netlink codec
// (the read the scrape makes). SEESAW_BENCH=1 runs it.
func TestTrafficMetricsBench(t *testing.T) {
	if os.Getenv("SEESAW_BENCH") != "1" {
		t.Skip("set SEESAW_BENCH=1 to run the traffic metrics benchmark")
	}
	ops, names := trafficTable(trafficBenchServices, trafficBenchBackends)
	f := kerneltest.NewIPVS()
	c, err := f.Dial(kernel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Apply(t.Context(), ops); err != nil {
		t.Fatal(err)
	}
	var snap kernel.Snapshot
	dump := measureRuns(t, 5, func() {
		if snap, err = c.Snapshot(t.Context()); err != nil || len(snap.Services) != trafficBenchServices {
			t.Fatalf("dump: %d services, %v", len(snap.Services), err)
		}
	})
	var size, peerSize int
	scrape := measureRuns(t, 5, func() { size = scrapeTraffic(t, snap, names) })
	// One run of the peer (about 40 s on a loaded 2-core machine).
	constant := measureRuns(t, 1, func() { peerSize = scrapeConstMetrics(t, snap, names) })
	series := trafficBenchServices * (7 + 7*trafficBenchBackends)
	fmt.Printf("traffic metrics: %d services x %d backends, %d series, %.1f MB of text (client_golang: %.1f MB), GOMAXPROCS=%d\n",
		trafficBenchServices, trafficBenchBackends, series, float64(size)/1e6, float64(peerSize)/1e6, runtime.GOMAXPROCS(0))
	fmt.Printf("%-50s %10s %10s %10s\n", "figure", "wall ms", "MB alloc", "wall/dump")
	for _, r := range []struct {
		name string
		m    runCost
	}{{"scrape: writeTraffic from one dump", scrape}, {"peer: fake kernel dump (netlink codec)", dump},
		{"peer: the same series as client_golang metrics", constant}} {
		fmt.Printf("%-50s %10.1f %10.1f %9.3fx\n", r.name, ms(r.m.wall), float64(r.m.alloc)/1e6, float64(r.m.wall)/float64(dump.wall))
	}
	suite := "traffic metrics 10k x 10 (peer: fake kernel dump)"
	benchrow.Write(os.Stdout, suite, "scrape wall", fmt.Sprintf("%.1f ms", ms(scrape.wall)),
		fmt.Sprintf("%.1f ms", ms(dump.wall)), float64(scrape.wall)/float64(dump.wall))
	benchrow.Write(os.Stdout, suite, "scrape allocated", fmt.Sprintf("%.1f MB", float64(scrape.alloc)/1e6),
		fmt.Sprintf("%.1f MB", float64(dump.alloc)/1e6), float64(scrape.alloc)/float64(dump.alloc))
	benchrow.Write(os.Stdout, "traffic metrics 10k x 10 (peer: client_golang const metrics)", "scrape wall",
		fmt.Sprintf("%.1f ms", ms(scrape.wall)), fmt.Sprintf("%.1f ms", ms(constant.wall)), float64(scrape.wall)/float64(constant.wall))
}

// runCost is the median wall time and the mean bytes allocated of a run.
type runCost struct {
	wall  time.Duration
	alloc uint64
}

// measureRuns runs fn once to warm up, then n times.
func measureRuns(t *testing.T, n int, fn func()) runCost {
	t.Helper()
	fn()
	walls := make([]time.Duration, n)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := range walls {
		start := time.Now()
		fn()
		walls[i] = time.Since(start)
	}
	runtime.ReadMemStats(&after)
	for i := range walls { // insertion sort: n is small
		for j := i; j > 0 && walls[j] < walls[j-1]; j-- {
			walls[j], walls[j-1] = walls[j-1], walls[j]
		}
	}
	return runCost{wall: walls[n/2], alloc: (after.TotalAlloc - before.TotalAlloc) / uint64(n)}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
