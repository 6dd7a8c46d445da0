package daemon

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/benchrow"
	"github.com/seesaw-lb/seesaw/internal/editbench"
	"github.com/seesaw-lb/seesaw/kernel"
)

// BenchmarkEditToKernel (in the VM: make vmbench) loads 1,000 services x
// 10 destinations through the daemon, then measures b.N one-line edits from
// the file write to the kernel showing the new weight, and, in the same run,
// the peers: a full table read (ipvsadm -Sn, what a loop that re-reads per
// edit would pay) and one `ipvsadm -e` (the least any tool can do).
func BenchmarkEditToKernel(b *testing.B) {
	if os.Getenv("SEESAW_VM") != "1" {
		b.Skip("set SEESAW_VM=1 (inside the test VM: make vmbench)")
	}
	for _, files := range []int{10, 100} {
		b.Run(fmt.Sprintf("files=%d", files), func(b *testing.B) { benchEdits(b, files) })
	}
}

// benchEdits runs the edit benchmark with the 1,000 services spread over files files.
func benchEdits(b *testing.B, files int) {
	exec.Command("ipvsadm", "-C").Run()
	per := 1000 / files
	editFile := fmt.Sprintf("s%03d.yaml", 550/per)
	first := 550 / per * per
	dir := b.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			b.Fatal(err)
		}
	}
	write("node.yaml", "node: {name: vm, interface: dummy0, scope: {prefixes: [192.0.2.0/24]}, resync_interval: 1h}\n")
	for f := range files {
		write(fmt.Sprintf("s%03d.yaml", f), editbench.File(per*f, per, -1, 0))
	}
	c, err := kernel.Dial(kernel.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var logs syncBuffer
	go func() {
		done <- runDaemon(ctx, systemDeps(), make(chan os.Signal), []string{"--config-dir", dir}, &logs, &logs)
	}()
	defer func() { cancel(); <-done }()
	key := kernel.NewServiceKey(kernel.TCP, netip.MustParseAddr("192.0.2.3"), 1000+550%250) // service 550
	weight := func() uint32 {
		ds, err := c.Destinations(ctx, key)
		if err != nil || len(ds) == 0 {
			return 0
		}
		slices.SortFunc(ds, func(a, b kernel.Destination) int { return kernel.CompareDestinationKeys(a.Key, b.Key) })
		return ds[0].Config.Weight
	}
	// The whole initial plan (11,000 ops) applied, not just the edited
	// service's part of it: else the first edit waits for the rest.
	loaded := func() bool { return weight() == 1 && strings.Contains(logs.String(), "applied plan") }
	for deadline := time.Now().Add(5 * time.Minute); !loaded(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatalf("table not loaded\n%s", logs.String())
		}
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		w := 2 + i%100
		start := time.Now()
		write(editFile, editbench.File(first, per, 550, w))
		for weight() != uint32(w) {
			if time.Since(start) > 30*time.Second {
				b.Fatalf("edit %d not applied\n%s", i, logs.String())
			}
			time.Sleep(time.Millisecond)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	p50, p99 := lat[len(lat)/2], lat[len(lat)*99/100]
	read := timeCmd(b, 5, "ipvsadm", "-Sn")
	edit := timeCmd(b, 20, "ipvsadm", "-e", "-t", "192.0.2.3:1050", "-r", "198.51.100.2:1050", "-w", "1")
	b.ReportMetric(float64(p50)/1e6, "p50-ms")
	b.ReportMetric(float64(p99)/1e6, "p99-ms")
	fmt.Printf("\nedit -> kernel, 1,000 services x 10 destinations in %d files, %d edits (VM, TCG)\n", files, len(lat))
	fmt.Printf("%-40s %10s %14s\n", "figure", "ms", "seesaw/peer")
	fmt.Printf("%-40s %10.1f\n", "seesaw edit->kernel median", float64(p50)/1e6)
	fmt.Printf("%-40s %10.1f\n", "seesaw edit->kernel p99", float64(p99)/1e6)
	fmt.Printf("%-40s %10.1f\n", "seesaw edit->kernel slowest", float64(lat[len(lat)-1])/1e6)
	fmt.Printf("%-40s %10.1f %13.2fx\n", "peer: ipvsadm -Sn (full read)", float64(read)/1e6, float64(p50)/float64(read))
	fmt.Printf("%-40s %10.1f %13.2fx\n", "peer: one ipvsadm -e", float64(edit)/1e6, float64(p50)/float64(edit))
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/1e6) }
	if b.N > 1 { // not the testing package's one-edit probe run: only the real run goes into make bench
		suite := "reconcile in the VM (peer: ipvsadm in the same VM)"
		benchrow.Write(os.Stdout, suite, fmt.Sprintf("edit->kernel median, %d files (peer: one ipvsadm -e)", files), ms(p50), ms(edit), float64(p50)/float64(edit))
		benchrow.Write(os.Stdout, suite, fmt.Sprintf("edit->kernel p99, %d files (peer: one ipvsadm -Sn)", files), ms(p99), ms(read), float64(p99)/float64(read))
	}
	lines := strings.Split(logs.String(), "\n")
	for _, l := range lines[max(0, len(lines)-4):] {
		fmt.Println("  last edit:", l)
	}
}

// timeCmd returns the median time of n runs of a command.
func timeCmd(b *testing.B, n int, name string, args ...string) time.Duration {
	ts := make([]time.Duration, 0, n)
	for range n {
		start := time.Now()
		if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
			b.Fatalf("%s %v: %v %s", name, args, err, out)
		}
		ts = append(ts, time.Since(start))
	}
	slices.Sort(ts)
	return ts[n/2]
}
