package desired

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/seesaw-lb/seesaw/internal/benchrow"
	"github.com/seesaw-lb/seesaw/internal/editbench"
)

// Benchmark size: 10,000 services x 10 backends over 100 files.
const (
	benchFiles       = 100
	benchPerFile     = 100
	benchBackends    = 10
	benchServicesAll = benchFiles * benchPerFile
)

// writeBenchDir writes the benchmark configuration into a new directory.
func writeBenchDir(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "node.yaml"), []byte(nodeYAML), 0o600); err != nil {
		tb.Fatal(err)
	}
	for f := range benchFiles {
		var b strings.Builder
		b.WriteString("services:\n")
		for s := range benchPerFile {
			n := f*benchPerFile + s
			fmt.Fprintf(&b, "  - name: svc-%05d\n    vip: 192.0.2.%d\n    ports: [{proto: tcp, port: %d}]\n"+
				"    scheduler: wrr\n    forward: dr\n    checks:\n      - {type: http, path: /healthz, interval: 2s, timeout: 1s}\n    backends:\n",
				n, n%250+1, 1000+n/250)
			for j := range benchBackends {
				fmt.Fprintf(&b, "      - {address: 198.51.100.%d, weight: %d}\n", j*20+n%20+1, 1+j)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("svc-%03d.yaml", f)), []byte(b.String()), 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

// loadYAMLNodes is the peer: read the same files and decode them into
// yaml.Node trees, with no schema, validation or normalization.
func loadYAMLNodes(dir string) (int, error) {
	names, err := configFiles(dir)
	if err != nil {
		return 0, err
	}
	nodes := 0
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return 0, err
		}
		var n yaml.Node
		if err := yaml.Unmarshal(data, &n); err != nil {
			return 0, err
		}
		nodes += len(n.Content)
	}
	return nodes, nil
}

// BenchmarkLoad measures desired.Load and the yaml.v3 peer separately (for benchstat).
func BenchmarkLoad(b *testing.B) {
	dir := writeBenchDir(b)
	b.Run("desired.Load", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			cfg, err := Load(dir)
			if err != nil || len(cfg.Services) != benchServicesAll {
				b.Fatalf("Load: %d services, %v", len(cfg.Services), err)
			}
		}
	})
	b.Run("yaml.v3-Node", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := loadYAMLNodes(dir); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// benchRounds is how many loads each side of the table measures, alternating.
const benchRounds = 5

// measured is the per-load cost of one side of the table.
type measured struct {
	perOp  time.Duration
	bytes  uint64
	allocs uint64
}

// measure runs fn once and adds its wall time and allocations to m.
func (m *measured) measure(b *testing.B, fn func() error) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	if err := fn(); err != nil {
		b.Fatal(err)
	}
	m.perOp += time.Since(start) / benchRounds
	runtime.ReadMemStats(&after)
	m.bytes += (after.TotalAlloc - before.TotalAlloc) / benchRounds
	m.allocs += (after.Mallocs - before.Mallocs) / benchRounds
}

// BenchmarkLoadTable measures desired.Load and the yaml.v3 peer alternately
// in the same process and prints the table recorded in docs/benchmarks.md:
// time and allocation per load, the ratio to the peer, and the heap the
// loaded Config keeps. Run it with -benchtime=1x.
func BenchmarkLoadTable(b *testing.B) {
	dir := writeBenchDir(b)
	var ours, peer measured
	for range benchRounds {
		runtime.GC()
		ours.measure(b, func() error { _, err := Load(dir); return err })
		runtime.GC()
		peer.measure(b, func() error { _, err := loadYAMLNodes(dir); return err })
	}
	retained := retainedHeap(b, dir)
	baseRSS, _ := childFigures(b, "none", dir)
	ourRSS, ourCPU := childFigures(b, "desired", dir)
	peerRSS, peerCPU := childFigures(b, "yaml", dir)
	w := os.Stdout
	fmt.Fprintf(w, "\nload %d services x %d backends in %d files, mean of %d loads each (GOMAXPROCS=%d)\n",
		benchServicesAll, benchBackends, benchFiles, benchRounds, runtime.GOMAXPROCS(0))
	fmt.Fprintf(w, "| figure | desired.Load | yaml.v3 decode to yaml.Node (peer) | ratio |\n|---|---|---|---|\n")
	fmt.Fprintf(w, "| time per load | %s | %s | %.2fx |\n", ours.perOp.Round(100*time.Microsecond),
		peer.perOp.Round(100*time.Microsecond), float64(ours.perOp)/float64(peer.perOp))
	fmt.Fprintf(w, "| allocated per load | %.1f MB | %.1f MB | %.2fx |\n", mb(ours.bytes), mb(peer.bytes), float64(ours.bytes)/float64(peer.bytes))
	fmt.Fprintf(w, "| allocations per load | %d | %d | %.2fx |\n", ours.allocs, peer.allocs, float64(ours.allocs)/float64(peer.allocs))
	fmt.Fprintf(w, "| CPU time of a process doing one load | %s | %s | %.2fx |\n", ourCPU.Round(10*time.Millisecond),
		peerCPU.Round(10*time.Millisecond), float64(ourCPU)/float64(peerCPU))
	fmt.Fprintf(w, "| peak RSS of that process (empty process: %.1f MB) | %.1f MB | %.1f MB | %.2fx |\n", baseRSS, ourRSS, peerRSS, ourRSS/peerRSS)
	fmt.Fprintf(w, "| heap kept by the loaded Config | %.1f MB | | |\n\n", mb(retained))
	const suite = "desired (peer: yaml.v3 to yaml.Node)"
	benchrow.Write(w, suite, "time per load", ours.perOp.Round(100*time.Microsecond).String(),
		peer.perOp.Round(100*time.Microsecond).String(), float64(ours.perOp)/float64(peer.perOp))
	benchrow.Write(w, suite, "allocated per load", fmt.Sprintf("%.1f MB", mb(ours.bytes)), fmt.Sprintf("%.1f MB", mb(peer.bytes)),
		float64(ours.bytes)/float64(peer.bytes))
	benchrow.Write(w, suite, "peak RSS of a process doing one load", fmt.Sprintf("%.1f MB", ourRSS), fmt.Sprintf("%.1f MB", peerRSS), ourRSS/peerRSS)
}

// retainedHeap is the live heap held by one loaded Config.
func retainedHeap(b *testing.B, dir string) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	cfg, err := Load(dir)
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(cfg)
	return after.HeapAlloc - before.HeapAlloc
}

// mb renders bytes in MB (10^6).
func mb(n uint64) float64 { return float64(n) / 1e6 }

// BenchmarkEditParse is the parse phase of reconcile's BenchmarkEditPhases:
// a full parse of the edited file of its 10- and 100-file layouts.
func BenchmarkEditParse(b *testing.B) {
	for _, files := range []int{10, 100} {
		per := 1000 / files
		dir, name := b.TempDir(), fmt.Sprintf("s%03d.yaml", 550/per)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(editbench.File(550/per*per, per, -1, 0)), 0o600); err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("parse/files=%d", files), func(b *testing.B) {
			for b.Loop() {
				loadFile(dir, name, DefaultLimits, nil)
			}
		})
	}
}
