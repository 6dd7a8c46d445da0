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

	"github.com/seesaw-lb/seesaw/internal/benchrow"
)

// rounds: every round measures every contender once, in a rotating order, so that load
// from the host (TCG shares its CPUs) spreads over all of them; the tables
// show each contender's median.
const rounds = 5

type row struct {
	name string
	s    sample
}

// contender is one measured thing. fresh: it runs in a new namespace of its
// own; otherwise in the round's namespace holding the loaded table.
type contender struct {
	table, name string
	fresh       bool
	run         func() error
}

type harness struct {
	b       *testing.B
	samples map[string][]sample
	order   map[string][]string
}

func (h *harness) fatal(err error) {
	if err != nil {
		h.b.Fatal(err)
	}
}

// measureOnce runs c inside ns and records a sample.
func (h *harness) measureOnce(ns *os.File, c contender) {
	var s sample
	err := inNS(ns, func() (err error) {
		s, err = measure(c.run)
		return err
	})
	if err != nil {
		h.b.Fatalf("%s: %v", c.name, err)
	}
	h.samples[c.table+"/"+c.name] = append(h.samples[c.table+"/"+c.name], s)
}

// measureAll runs every contender once per round, interleaved. shared, when
// non-nil, prepares the namespace the non-fresh contenders of a round share.
func (h *harness) measureAll(cs []contender, shared func() error) {
	for _, c := range cs {
		h.order[c.table] = append(h.order[c.table], c.name)
	}
	for r := range rounds {
		var roundNS *os.File
		if shared != nil {
			roundNS = h.scratch(shared)
		}
		// Rotate the order each round: whoever runs first after a
		// namespace teardown shares the CPU with its asynchronous cleanup.
		for i := range cs {
			c := cs[(i+r)%len(cs)]
			if !c.fresh {
				h.measureOnce(roundNS, c)
				continue
			}
			ns := h.scratch(nil)
			h.measureOnce(ns, c)
			h.drop(ns)
		}
		if roundNS != nil {
			h.drop(roundNS)
		}
	}
}

// scratch returns a fresh namespace, with fn run inside it (untimed).
func (h *harness) scratch(fn func() error) *os.File {
	ns, err := newNS()
	h.fatal(err)
	if fn != nil {
		h.fatal(inNS(ns, fn))
	}
	return ns
}

// drop empties and releases a namespace, then lets the kernel's
// asynchronous namespace cleanup finish before the next measurement.
func (h *harness) drop(ns *os.File) {
	h.fatal(inNS(ns, func() error {
		c, err := kernel.Dial(kernel.Options{})
		if err != nil {
			return err
		}
		defer c.Close()
		return c.Flush(context.Background())
	}))
	ns.Close()
	time.Sleep(time.Second)
}

func (h *harness) rows(table string) []row {
	var out []row
	for _, n := range h.order[table] {
		out = append(out, row{n, median(h.samples[table+"/"+n])})
	}
	return out
}

func applyWith(size int) func() error {
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

func snapshotWith(sockets, readerBuf int) func() error {
	return func() error {
		c, err := kernel.Dial(kernel.Options{ReadSockets: sockets, ReaderBufferBytes: readerBuf})
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

func withMoby(fn func(*mobyipvs.Handle) error) func() error {
	return func() error {
		h, err := mobyipvs.New("")
		if err != nil {
			return err
		}
		defer h.Close()
		return fn(h)
	}
}

func withCloudflare(fn func(cfipvs.Client) error) func() error {
	return func() error {
		c, err := cfipvs.New()
		if err != nil {
			return err
		}
		if closer, ok := c.(io.Closer); ok {
			defer closer.Close()
		}
		return fn(c)
	}
}

// BenchmarkIPVSPeers measures, in one run on the real kernel, the cold apply
// and the full read of 1,000 services x 10 destinations with package kernel,
// ipvsadm, moby/ipvs and cloudflare/ipvs, batching, and the SET_DEST round
// trip, and prints tables. Run it in the VM: make kernelbench.
func BenchmarkIPVSPeers(b *testing.B) {
	if os.Getenv("SEESAW_VM") != "1" {
		b.Skip("set SEESAW_VM=1 (inside the test VM: make kernelbench) to benchmark the real kernel")
	}
	h := &harness{b: b, samples: map[string][]sample{}, order: map[string][]string{}}
	for range b.N {
		coldApply(h)
		fullRead(h)
	}
	ns := h.scratch(applyWith(128))
	var rt map[string][]time.Duration
	h.fatal(inNS(ns, func() (err error) { rt, err = roundTrips(); return err }))
	h.drop(ns)
	printTables(h, rt)
}

func coldApply(h *harness) {
	rules := Rules()
	cs := []contender{
		{"cold apply", "seesaw kernel.Apply (batch 128)", true, applyWith(128)},
		{"cold apply", "ipvsadm -R", true, func() error { return ipvsadm(rules, io.Discard, "-R") }},
		{"cold apply", "moby/ipvs", true, withMoby(mobyApply)},
		{"cold apply", "cloudflare/ipvs", true, withCloudflare(cloudflareApply)},
	}
	for _, size := range []int{1, 16, 128, 512} {
		cs = append(cs, contender{"batching", fmt.Sprintf("kernel.Apply batch %d", size), true, applyWith(size)})
	}
	h.measureAll(cs, nil)
}

func fullRead(h *harness) {
	h.measureAll([]contender{
		{"full read", "seesaw kernel.Snapshot (2 sockets)", false, snapshotWith(2, 0)},
		{"full read", "seesaw kernel.Snapshot (1 socket)", false, snapshotWith(1, 0)},
		{"full read", "seesaw kernel.Snapshot (4 sockets)", false, snapshotWith(4, 0)},
		{"full read", "ipvsadm -Sn", false, func() error { return ipvsadm("", io.Discard, "-Sn") }},
		{"full read", "moby/ipvs", false, withMoby(func(m *mobyipvs.Handle) error { return checkCount(mobyRead(m)) })},
		{"full read", "cloudflare/ipvs", false, withCloudflare(func(c cfipvs.Client) error { return checkCount(cloudflareRead(c)) })},
	}, applyWith(128))
}

// roundTrips times single SET_DEST updates on a loaded table, interleaved
// with the same update through moby/ipvs.
func roundTrips() (map[string][]time.Duration, error) {
	c, err := kernel.Dial(kernel.Options{})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	moby, err := mobyipvs.New("")
	if err != nil {
		return nil, err
	}
	defer moby.Close()
	out := map[string][]time.Duration{}
	k, d := serviceKey(0), destKey(0)
	msvc := &mobyipvs.Service{Address: net.IP(k.Addr.AsSlice()), Protocol: 6, Port: k.Port, AddressFamily: 2}
	for i := range 1000 {
		op := kernel.Op{Kind: kernel.UpdateDestination, Service: k, Destination: d,
			DestinationConfig: kernel.DestinationConfig{Forward: kernel.ForwardDirect, Weight: uint32(1 + i%2)}}
		t0 := time.Now()
		if err := c.Do(context.Background(), op); err != nil {
			return nil, err
		}
		out["seesaw kernel.Apply (1 op)"] = append(out["seesaw kernel.Apply (1 op)"], time.Since(t0))
		mdst := &mobyipvs.Destination{Address: net.IP(d.Addr.AsSlice()), Port: d.Port, Weight: 1 + i%2,
			ConnectionFlags: mobyipvs.ConnectionFlagDirectRoute, AddressFamily: 2}
		t0 = time.Now()
		if err := moby.UpdateDestination(msvc, mdst); err != nil {
			return nil, err
		}
		out["moby/ipvs UpdateDestination"] = append(out["moby/ipvs UpdateDestination"], time.Since(t0))
	}
	return out, nil
}

func printTables(h *harness, rt map[string][]time.Duration) {
	for _, t := range []string{"cold apply", "full read", "batching"} {
		rows := h.rows(t)
		fmt.Printf("\n%s: %d services x %d destinations, median of %d interleaved rounds, fresh namespace per run\n", t, Services, Dests, rounds)
		fmt.Printf("%-36s %10s %8s %10s %10s\n", "client", "wall", "ratio", "cpu", "Go alloc")
		base := rows[0].s.wall
		for _, r := range rows {
			fmt.Printf("%-36s %10s %7.2fx %10s %9.1fM\n", r.name, r.s.wall.Round(time.Millisecond),
				float64(r.s.wall)/float64(base), r.s.cpu.Round(time.Millisecond), float64(r.s.alloc)/(1<<20))
		}
		for _, r := range rows[1:] {
			benchrow.Write(os.Stdout, "kernel (peer: "+r.name+")", fmt.Sprintf("%s, %d x %d, wall", t, Services, Dests),
				base.Round(time.Millisecond).String(), r.s.wall.Round(time.Millisecond).String(), float64(base)/float64(r.s.wall))
		}
		h.b.ReportMetric(float64(base.Milliseconds()), strings.ReplaceAll(t, " ", "_")+"_ms")
	}
	fmt.Printf("\nsingle SET_DEST round trip, 1000 samples each (interleaved)\n")
	for _, n := range []string{"seesaw kernel.Apply (1 op)", "moby/ipvs UpdateDestination"} {
		d := rt[n]
		fmt.Printf("%-36s median %5d µs   p99 %6d µs\n", n, percentile(d, 50).Microseconds(), percentile(d, 99).Microseconds())
	}
	ours, peer := percentile(rt["seesaw kernel.Apply (1 op)"], 50), percentile(rt["moby/ipvs UpdateDestination"], 50)
	benchrow.Write(os.Stdout, "kernel (peer: moby/ipvs)", "single SET_DEST round trip, median", ours.String(), peer.String(),
		float64(ours)/float64(max(peer, 1)))
}
