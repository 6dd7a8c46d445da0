//go:build linux

package ipvsbench

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	cfipvs "github.com/cloudflare/ipvs"
	mobyipvs "github.com/moby/ipvs"
	"github.com/seesaw-lb/seesaw/kernel"
)

const rounds = 3

type row struct {
	name string
	s    sample
}

type harness struct {
	b    *testing.B
	c    *kernel.Client
	rows map[string][]row
}

func (h *harness) flush() {
	if err := h.c.Flush(context.Background()); err != nil {
		h.b.Fatal(err)
	}
}

// run measures fn rounds times (after prep each time) and records the median.
func (h *harness) run(table, name string, prep func(), fn func() error) {
	var ss []sample
	for range rounds {
		prep()
		s, err := measure(fn)
		if err != nil {
			h.b.Fatalf("%s: %v", name, err)
		}
		ss = append(ss, s)
	}
	h.rows[table] = append(h.rows[table], row{name, median(ss)})
}

func (h *harness) applyWith(size int) func() error {
	return func() error {
		c, err := kernel.Dial(kernel.Options{BatchSize: size})
		if err != nil {
			return err
		}
		defer c.Close()
		res, err := c.Apply(context.Background(), Ops())
		for _, r := range res {
			if err == nil && r.Err != nil {
				err = r.Err
			}
		}
		return err
	}
}

func ipvsadm(stdin string, out io.Writer, args ...string) error {
	cmd := exec.Command("ipvsadm", args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(stdin), out, os.Stderr
	return cmd.Run()
}

// BenchmarkIPVSPeers measures, in one run on the real kernel, the cold apply
// and the full read of 1,000 services x 10 destinations with package kernel,
// ipvsadm, moby/ipvs and cloudflare/ipvs, batching, and the SET_DEST round
// trip, and prints a table. Run it in the VM (docs/benchmarks.md).
func BenchmarkIPVSPeers(b *testing.B) {
	if os.Getenv("SEESAW_VM") != "1" {
		b.Skip("set SEESAW_VM=1 (inside the test VM: make vmbench) to benchmark the real kernel")
	}
	c, err := kernel.Dial(kernel.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	moby, err := mobyipvs.New("")
	if err != nil {
		b.Fatal(err)
	}
	defer moby.Close()
	cf, err := cfipvs.New()
	if err != nil {
		b.Fatal(err)
	}
	h := &harness{b: b, c: c, rows: map[string][]row{}}
	for range b.N {
		coldApply(h, moby, cf)
		fullRead(h, moby, cf)
	}
	rt := roundTrips(h)
	printTables(h, rt)
	h.flush()
}

func coldApply(h *harness, moby *mobyipvs.Handle, cf cfipvs.Client) {
	const t = "cold apply"
	h.run(t, "seesaw kernel.Apply (batch 128)", h.flush, h.applyWith(128))
	rules := Rules()
	h.run(t, "ipvsadm -R", h.flush, func() error { return ipvsadm(rules, io.Discard, "-R") })
	h.run(t, "moby/ipvs", h.flush, func() error { return mobyApply(moby) })
	h.run(t, "cloudflare/ipvs", h.flush, func() error { return cloudflareApply(cf) })
	for _, size := range []int{1, 16, 128, 512} {
		h.run("batching", fmt.Sprintf("kernel.Apply batch %d", size), h.flush, h.applyWith(size))
	}
}

func fullRead(h *harness, moby *mobyipvs.Handle, cf cfipvs.Client) {
	const t = "full read"
	h.flush()
	if err := h.applyWith(128)(); err != nil {
		h.b.Fatal(err)
	}
	nothing := func() {}
	check := func(n int, err error) error {
		if err == nil && n != Services*Dests {
			err = fmt.Errorf("read %d destinations, want %d", n, Services*Dests)
		}
		return err
	}
	h.run(t, "seesaw kernel.Snapshot", nothing, func() error {
		s, err := h.c.Snapshot(context.Background())
		n := 0
		for _, svc := range s.Services {
			n += len(svc.Destinations)
		}
		return check(n, err)
	})
	h.run(t, "ipvsadm -Sn", nothing, func() error { return ipvsadm("", io.Discard, "-Sn") })
	h.run(t, "moby/ipvs", nothing, func() error { return check(mobyRead(moby)) })
	h.run(t, "cloudflare/ipvs", nothing, func() error { return check(cloudflareRead(cf)) })
}

// roundTrips times single SET_DEST updates on the loaded table.
func roundTrips(h *harness) map[string][]time.Duration {
	out := map[string][]time.Duration{}
	k := serviceKey(0)
	for i := range 1000 {
		op := kernel.Op{Kind: kernel.UpdateDestination, Service: k, Destination: destKey(0),
			DestinationConfig: kernel.DestinationConfig{Forward: kernel.ForwardDirect, Weight: uint32(1 + i%2)}}
		t0 := time.Now()
		if err := h.c.Do(context.Background(), op); err != nil {
			h.b.Fatal(err)
		}
		out["seesaw"] = append(out["seesaw"], time.Since(t0))
	}
	return out
}

func printTables(h *harness, rt map[string][]time.Duration) {
	for _, t := range []string{"cold apply", "full read", "batching"} {
		rows := h.rows[t]
		fmt.Printf("\n%s: %d services x %d destinations, median of %d\n", t, Services, Dests, rounds)
		fmt.Printf("%-34s %10s %8s %10s %10s\n", "client", "wall", "ratio", "cpu", "Go alloc")
		base := rows[0].s.wall
		for _, r := range rows {
			fmt.Printf("%-34s %10s %7.2fx %10s %9.1fM\n", r.name, r.s.wall.Round(time.Millisecond),
				float64(r.s.wall)/float64(base), r.s.cpu.Round(time.Millisecond), float64(r.s.alloc)/(1<<20))
		}
		h.b.ReportMetric(float64(base.Milliseconds()), strings.ReplaceAll(t, " ", "_")+"_ms")
	}
	d := rt["seesaw"]
	fmt.Printf("\nsingle SET_DEST round trip (%d samples): median %d µs, p99 %d µs\n",
		len(d), percentile(d, 50).Microseconds(), percentile(d, 99).Microseconds())
}
