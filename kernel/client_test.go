package kernel_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/kerneltest"
)

func dialFake(t *testing.T, f *kerneltest.IPVS, o kernel.Options) *kernel.Client {
	t.Helper()
	c, err := f.Dial(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// table returns ops for n services with d destinations each.
func table(n, d int) []kernel.Op {
	var ops []kernel.Op
	for i := range n {
		k := kernel.NewServiceKey(kernel.TCP, netip.AddrFrom4([4]byte{192, 0, 2, byte(i % 250)}), uint16(1000+i))
		ops = append(ops, addSvc(k, kernel.ServiceConfig{Scheduler: "wrr"}))
		for j := range d {
			ops = append(ops, addDest(k, kernel.NewDestinationKey(netip.AddrFrom4([4]byte{198, 51, 100, byte(j + 1)}), 80),
				kernel.DestinationConfig{Forward: kernel.ForwardDirect, Weight: uint32(j)}))
		}
	}
	return ops
}

func TestDialWithoutIPVSModule(t *testing.T) {
	f := kerneltest.NewIPVS()
	f.Unload()
	_, err := f.Dial(kernel.Options{})
	if !errors.Is(err, kernel.ErrFamilyNotFound) || !strings.Contains(err.Error(), "modprobe ip_vs") {
		t.Fatalf("got %v, want an error naming the ip_vs module", err)
	}
}

func TestBatchingPacksRequestsPerSend(t *testing.T) {
	for _, size := range []int{1, 16, 128, 512} {
		f := kerneltest.NewIPVS()
		c := dialFake(t, f, kernel.Options{BatchSize: size})
		ops := table(20, 9) // 200 ops
		before := f.Sends()
		mustApply(t, c, ops...)
		sends := f.Sends() - before
		if want := (len(ops) + size - 1) / size; sends != want {
			t.Errorf("batch size %d: %d sendmsg calls for %d ops, want %d", size, sends, len(ops), want)
		}
		if got := len(snapshot(t, c).Services); got != 20 {
			t.Errorf("batch size %d: %d services", size, got)
		}
	}
}

func TestBatchBytesBound(t *testing.T) {
	f := kerneltest.NewIPVS()
	c := dialFake(t, f, kernel.Options{BatchSize: 512, BatchBytes: 1024})
	ops := table(10, 9)
	before := f.Sends()
	mustApply(t, c, ops...)
	if sends := f.Sends() - before; sends < 10 {
		t.Errorf("%d sendmsg calls for %d ops within 1 KiB each: the byte bound was ignored", sends, len(ops))
	}
}

func TestBatchSizesGiveSameResults(t *testing.T) {
	ops := append(table(5, 3), addDest(kernel.NewServiceKey(kernel.TCP, vip4, 9), dest4, kernel.DestinationConfig{Weight: 1}),
		addSvc(kernel.NewServiceKey(kernel.TCP, vip4, 10), kernel.ServiceConfig{Scheduler: "nosuch"}))
	var want string
	for _, size := range []int{1, 2, 16, 512} {
		c := dialFake(t, kerneltest.NewIPVS(), kernel.Options{BatchSize: size})
		res, err := c.Apply(context.Background(), ops)
		if err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprint(res) + kernel.RenderIPVSADM(snapshot(t, c))
		if want == "" {
			want = got
		} else if got != want {
			t.Errorf("batch size %d differs:\n%s\nwant:\n%s", size, got, want)
		}
	}
}

func TestLostAcksAreUncertain(t *testing.T) {
	f := kerneltest.NewIPVS()
	c := dialFake(t, f, kernel.Options{BatchSize: 10})
	ops := table(1, 9) // 10 ops, one batch
	f.LoseAcks(3)
	res, err := c.Apply(context.Background(), ops)
	if err != nil {
		t.Fatal(err)
	}
	var uncertain int
	for _, r := range res {
		if r.Uncertain {
			uncertain++
			if !errors.Is(r.Err, kernel.ErrUncertain) {
				t.Errorf("%s: uncertain without ErrUncertain: %v", r.Op, r.Err)
			}
		} else if r.Err != nil {
			t.Errorf("%s: %v", r.Op, r.Err)
		}
	}
	if uncertain != 3 {
		t.Errorf("%d uncertain results, want exactly the 3 whose acks were lost", uncertain)
	}
	// The kernel applied everything; the next apply is not confused by the
	// earlier answers.
	svc := snapshot(t, c).Services
	if len(svc) != 1 || len(svc[0].Destinations) != 9 {
		t.Fatalf("table after lost acks: %+v", svc)
	}
	if err := applyOne(t, c, kernel.Op{Kind: kernel.DeleteService, Service: ops[0].Service}); err != nil {
		t.Fatal(err)
	}
}

func TestConcurrentUse(t *testing.T) {
	c := dialFake(t, kerneltest.NewIPVS(), kernel.Options{BatchSize: 4})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			k := kernel.NewServiceKey(kernel.TCP, vip4, uint16(2000+g))
			ops := []kernel.Op{addSvc(k, kernel.ServiceConfig{Scheduler: "rr"})}
			for j := range 10 {
				ops = append(ops, addDest(k, kernel.NewDestinationKey(rs4a, uint16(j+1)), kernel.DestinationConfig{Weight: 1}))
			}
			res, err := c.Apply(context.Background(), ops)
			if err == nil {
				for _, r := range res {
					err = errors.Join(err, r.Err)
				}
			}
			if _, serr := c.Snapshot(context.Background()); serr != nil {
				err = errors.Join(err, serr)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	for _, s := range snapshot(t, c).Services {
		if len(s.Destinations) != 10 {
			t.Errorf("%s: %d destinations", s.Key, len(s.Destinations))
		}
	}
}

func TestClosedAndCancelled(t *testing.T) {
	c := dialFake(t, kerneltest.NewIPVS(), kernel.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Apply(ctx, table(1, 1)); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
	c.Close()
	if _, err := c.Snapshot(context.Background()); !errors.Is(err, kernel.ErrClosed) {
		t.Errorf("closed client: %v", err)
	}
}

func TestInvalidOpsRejectedBeforeSending(t *testing.T) {
	c := dialFake(t, kerneltest.NewIPVS(), kernel.Options{})
	bad := []kernel.Op{
		addSvc(kernel.ServiceKey{Family: kernel.IPv4, Protocol: 99, Addr: vip4, Port: 1}, kernel.ServiceConfig{Scheduler: "rr"}),
		addSvc(kernel.ServiceKey{Family: kernel.IPv4, Protocol: kernel.TCP, Addr: vip6, Port: 1}, kernel.ServiceConfig{Scheduler: "rr"}),
		addSvc(web4, kernel.ServiceConfig{Scheduler: strings.Repeat("x", 16)}),
		{Kind: 42, Service: web4},
	}
	res, err := c.Apply(context.Background(), bad)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if !errors.Is(r.Err, kernel.ErrInvalid) || r.Uncertain {
			t.Errorf("%s: %v", r.Op, r.Err)
		}
	}
	if n := len(snapshot(t, c).Services); n != 0 {
		t.Errorf("%d services created from invalid ops", n)
	}
}

func TestDisabledIPv6(t *testing.T) {
	f := kerneltest.NewIPVS()
	f.DisableIPv6()
	c := dialFake(t, f, kernel.Options{})
	if err := applyOne(t, c, addSvc(web6, kernel.ServiceConfig{Scheduler: "rr"})); !errors.Is(err, kernel.ErrFamily) {
		t.Fatalf("IPv6 service on a kernel without IPv6: %v", err)
	}
}

func TestSnapshotParallelMatchesSerial(t *testing.T) {
	f := kerneltest.NewIPVS()
	serial := dialFake(t, f, kernel.Options{ReadSockets: 1})
	mustApply(t, serial, table(30, 4)...)
	parallel := dialFake(t, f, kernel.Options{ReadSockets: 4})
	a := kernel.RenderIPVSADM(snapshot(t, serial))
	opened := f.Sockets()
	b := kernel.RenderIPVSADM(snapshot(t, parallel))
	if a != b || strings.Count(a, "-a ") != 120 {
		t.Fatalf("parallel snapshot differs from serial:\n%s\nvs\n%s", b, a)
	}
	if n := f.Sockets() - opened; n != 3 {
		t.Errorf("%d extra sockets, want 3", n)
	}
}
