//go:build linux

package ipvsbench

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	cfipvs "github.com/cloudflare/ipvs"
	mobyipvs "github.com/moby/ipvs"
	"github.com/seesaw-lb/seesaw/kernel"
)

// rounds: every round measures every contender once, in turn, so that load
// from the host (TCG shares its CPUs) spreads over all of them; the table
// shows each contender's median.
const rounds = 5

type row struct {
	name string
	s    sample
}

// contender is one measured thing: prep runs untimed before each run.
type contender struct {
	table, name string
	prep        func()
	run         func() error
}

type harness struct {
	b       *testing.B
	c       *kernel.Client
	samples map[string][]sample
	order   map[string][]string
}

func (h *harness) flush() {
	if err := h.c.Flush(context.Background()); err != nil {
		h.b.Fatal(err)
	}
}

// measureAll runs every contender once per round, interleaved.
func (h *harness) measureAll(cs []contender) {
	for _, c := range cs {
		h.order[c.table] = append(h.order[c.table], c.name)
	}
	for range rounds {
		for _, c := range cs {
			c.prep()
			s, err := measure(c.run)
			if err != nil {
				h.b.Fatalf("%s: %v", c.name, err)
			}
			h.samples[c.table+"/"+c.name] = append(h.samples[c.table+"/"+c.name], s)
		}
	}
}

func (h *harness) rows(table string) []row {
	var out []row
	for _, n := range h.order[table] {
		out = append(out, row{n, median(h.samples[table+"/"+n])})
	}
	return out
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

func (h *harness) snapshotWith(sockets int) func() error {
	return func() error {
		c, err := kernel.Dial(kernel.Options{ReadSockets: sockets})
		if err != nil {
			return err
		}
		defer c.Close()
		s, err := c.Snapshot(context.Background())
		n := 0
		for _, svc := range s.Services {
			n += len(svc.Destinations)
		}
		return checkCount(n, err)
	}
}

func checkCount(n int, err error) error {
	if err == nil && n != Services*Dests {
		err = fmt.Errorf("read %d destinations, want %d", n, Services*Dests)
	}
	return err
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
	h := &harness{b: b, c: c, samples: map[string][]sample{}, order: map[string][]string{}}
	for range b.N {
		coldApply(h, moby, cf)
		fullRead(h, moby, cf)
	}
	rt := roundTrips(h, moby)
	printTables(h, rt)
	h.flush()
}

func coldApply(h *harness, moby *mobyipvs.Handle, cf cfipvs.Client) {
	rules := Rules()
	cs := []contender{
		{"cold apply", "seesaw kernel.Apply (batch 128)", h.flush, h.applyWith(128)},
		{"cold apply", "ipvsadm -R", h.flush, func() error { return ipvsadm(rules, io.Discard, "-R") }},
		{"cold apply", "moby/ipvs", h.flush, func() error { return mobyApply(moby) }},
		{"cold apply", "cloudflare/ipvs", h.flush, func() error { return cloudflareApply(cf) }},
	}
	for _, size := range []int{1, 16, 128, 512} {
		cs = append(cs, contender{"batching", fmt.Sprintf("kernel.Apply batch %d", size), h.flush, h.applyWith(size)})
	}
	h.measureAll(cs)
}

func fullRead(h *harness, moby *mobyipvs.Handle, cf cfipvs.Client) {
	h.flush()
	if err := h.applyWith(128)(); err != nil {
		h.b.Fatal(err)
	}
	nothing := func() {}
	h.measureAll([]contender{
		{"full read", "seesaw kernel.Snapshot (4 sockets)", nothing, h.snapshotWith(4)},
		{"full read", "seesaw kernel.Snapshot (1 socket)", nothing, h.snapshotWith(1)},
		{"full read", "ipvsadm -Sn", nothing, func() error { return ipvsadm("", io.Discard, "-Sn") }},
		{"full read", "moby/ipvs", nothing, func() error { return checkCount(mobyRead(moby)) }},
		{"full read", "cloudflare/ipvs", nothing, func() error { return checkCount(cloudflareRead(cf)) }},
	})
}

// roundTrips times single SET_DEST updates on the loaded table, interleaved
// with the same update through moby/ipvs.
func roundTrips(h *harness, moby *mobyipvs.Handle) map[string][]time.Duration {
	out := map[string][]time.Duration{}
	k, d := serviceKey(0), destKey(0)
	msvc := &mobyipvs.Service{Address: net.IP(k.Addr.AsSlice()), Protocol: 6, Port: k.Port, AddressFamily: 2}
	for i := range 1000 {
		op := kernel.Op{Kind: kernel.UpdateDestination, Service: k, Destination: d,
			DestinationConfig: kernel.DestinationConfig{Forward: kernel.ForwardDirect, Weight: uint32(1 + i%2)}}
		t0 := time.Now()
		if err := h.c.Do(context.Background(), op); err != nil {
			h.b.Fatal(err)
		}
		out["seesaw kernel.Apply (1 op)"] = append(out["seesaw kernel.Apply (1 op)"], time.Since(t0))
		mdst := &mobyipvs.Destination{Address: net.IP(d.Addr.AsSlice()), Port: d.Port, Weight: 1 + i%2,
			ConnectionFlags: mobyipvs.ConnectionFlagDirectRoute, AddressFamily: 2}
		t0 = time.Now()
		if err := moby.UpdateDestination(msvc, mdst); err != nil {
			h.b.Fatal(err)
		}
		out["moby/ipvs UpdateDestination"] = append(out["moby/ipvs UpdateDestination"], time.Since(t0))
	}
	return out
}

func printTables(h *harness, rt map[string][]time.Duration) {
	for _, t := range []string{"cold apply", "full read", "batching"} {
		rows := h.rows(t)
		fmt.Printf("\n%s: %d services x %d destinations, median of %d interleaved rounds\n", t, Services, Dests, rounds)
		fmt.Printf("%-36s %10s %8s %10s %10s\n", "client", "wall", "ratio", "cpu", "Go alloc")
		base := rows[0].s.wall
		for _, r := range rows {
			fmt.Printf("%-36s %10s %7.2fx %10s %9.1fM\n", r.name, r.s.wall.Round(time.Millisecond),
				float64(r.s.wall)/float64(base), r.s.cpu.Round(time.Millisecond), float64(r.s.alloc)/(1<<20))
		}
		h.b.ReportMetric(float64(base.Milliseconds()), strings.ReplaceAll(t, " ", "_")+"_ms")
	}
	fmt.Printf("\nsingle SET_DEST round trip, 1000 samples each (interleaved)\n")
	for _, n := range []string{"seesaw kernel.Apply (1 op)", "moby/ipvs UpdateDestination"} {
		d := rt[n]
		fmt.Printf("%-36s median %5d µs   p99 %6d µs\n", n, percentile(d, 50).Microseconds(), percentile(d, 99).Microseconds())
	}
}
