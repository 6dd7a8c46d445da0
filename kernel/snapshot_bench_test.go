package kernel_test

import (
	"context"
	"encoding/binary"
	"net/netip"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/kerneltest"
)

// replay records the datagrams a fake kernel answers to each request and
// replays them, so that a benchmark measures only the client's side.
type replay struct {
	mu      sync.Mutex
	answers map[string][][]byte // request after its header -> datagrams
	live    bool                // record: pass requests to the fake
}

type replaySocket struct {
	r     *replay
	inner kernel.Socket
	key   string
	queue [][]byte
	seq   uint32
}

func (s *replaySocket) Send(b []byte) error {
	s.seq = binary.NativeEndian.Uint32(b[8:])
	s.key = string(b[16:])
	s.r.mu.Lock()
	live := s.r.live
	s.r.mu.Unlock()
	if live {
		return s.inner.Send(b)
	}
	s.queue = append(s.queue[:0], s.r.answers[s.key]...)
	return nil
}

func (s *replaySocket) Recv(b []byte) (int, error) {
	s.r.mu.Lock()
	live := s.r.live
	s.r.mu.Unlock()
	if live {
		n, err := s.inner.Recv(b)
		if err == nil {
			s.r.mu.Lock()
			s.r.answers[s.key] = append(s.r.answers[s.key], append([]byte(nil), b[:n]...))
			s.r.mu.Unlock()
		}
		return n, err
	}
	n := copy(b, s.queue[0])
	s.queue = s.queue[1:]
	for off := 0; off+16 <= n; {
		binary.NativeEndian.PutUint32(b[off+8:], s.seq)
		off += int((binary.NativeEndian.Uint32(b[off:]) + 3) &^ 3)
	}
	return n, nil
}

func (s *replaySocket) SetDeadline(t time.Time) error { return s.inner.SetDeadline(t) }
func (s *replaySocket) Close() error                  { return s.inner.Close() }

// benchTable is n services x d destinations, as the VM benchmarks load.
func benchTable(n, d int) []kernel.Op {
	var ops []kernel.Op
	for i := range n {
		k := kernel.NewServiceKey(kernel.TCP, netip.AddrFrom4([4]byte{192, 0, 2, byte(10 + i/50000)}), uint16(10000+i%50000))
		ops = append(ops, kernel.Op{Kind: kernel.AddService, Service: k, ServiceConfig: kernel.ServiceConfig{Scheduler: "wrr"}})
		for j := range d {
			dk := kernel.NewDestinationKey(netip.AddrFrom4([4]byte{198, 51, 100, byte(1 + j)}), 80)
			ops = append(ops, kernel.Op{Kind: kernel.AddDestination, Service: k, Destination: dk,
				DestinationConfig: kernel.DestinationConfig{Forward: kernel.ForwardDirect, Weight: uint32(j + 1)}})
		}
	}
	return ops
}

// replayClient returns a client whose sockets replay the fake kernel's
// answers for a table of n services x d destinations.
func replayClient(t testing.TB, n, d int) *kernel.Client {
	f := kerneltest.NewIPVS()
	r := &replay{answers: map[string][][]byte{}, live: true}
	c, err := kernel.NewClient(func() (kernel.Socket, error) {
		inner, err := f.DialSocket()
		return &replaySocket{r: r, inner: inner}, err
	}, kernel.Options{ReadSockets: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := c.Apply(context.Background(), benchTable(n, d)); err != nil {
		t.Fatal(err)
	}
	r.answers = map[string][][]byte{}
	if _, err := c.Snapshot(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.live = false
	return c
}

// BenchmarkSnapshotReplay reads 1,000 services x 10 destinations on one
// socket from recorded kernel answers: the client's own cost of a full
// read (request encoding, receive loop, decoding), without the kernel's.
func BenchmarkSnapshotReplay(b *testing.B) {
	c := replayClient(b, 1000, 10)
	b.ReportAllocs()
	for b.Loop() {
		s, err := c.Snapshot(context.Background())
		if err != nil || len(s.Services) != 1000 || len(s.Services[999].Destinations) != 10 {
			b.Fatalf("%d services, %v", len(s.Services), err)
		}
	}
}

// TestSnapshotAllocatesPerServiceNotPerAttribute bounds the allocations of
// a full read: a few per service (the dump's closure, the service list,
// chunks of destinations; the replaying socket adds one per request), none
// per destination or attribute (a destination reply has 15 attributes and
// two nests: about 125,000 allocations here before the in-place decoding).
func TestSnapshotAllocatesPerServiceNotPerAttribute(t *testing.T) {
	const n, d = 300, 10
	c := replayClient(t, n, d)
	allocs := testing.AllocsPerRun(3, func() {
		if s, err := c.Snapshot(context.Background()); err != nil || len(s.Services) != n {
			t.Fatalf("%d services, %v", len(s.Services), err)
		}
	})
	if allocs > 3*n {
		t.Fatalf("%.0f allocations for %d services x %d destinations, want at most %d", allocs, n, d, 3*n)
	}
}

// TestVisitDestinationsReusesItsMemory: once warm, reading destinations by
// VisitDestinations allocates a small part of what DestinationsOf does for
// the same services (which keeps every list), since each dump reuses the
// memory of the one before.
func TestVisitDestinationsReusesItsMemory(t *testing.T) {
	const n, d = 300, 10
	c := replayClient(t, n, d)
	ctx := context.Background()
	svcs, err := c.Services(ctx)
	if err != nil || len(svcs) != n {
		t.Fatalf("%d services, %v", len(svcs), err)
	}
	keys := make([]kernel.ServiceKey, len(svcs))
	for i, s := range svcs {
		keys[i] = s.Key
	}
	seen := make([]int, n)
	visit := func() {
		if err := c.VisitDestinations(ctx, keys, func(i int, ds []kernel.Destination) { seen[i] = len(ds) }); err != nil {
			t.Fatal(err)
		}
	}
	keep := func() {
		if ds, err := c.DestinationsOf(ctx, keys); err != nil || len(ds) != n {
			t.Fatalf("%d lists, %v", len(ds), err)
		}
	}
	visit() // warm: the socket's scratch grows to one service's list
	visited, kept := allocatedBytes(visit), allocatedBytes(keep)
	for i, m := range seen {
		if m != d {
			t.Fatalf("service %d: %d destinations visited, want %d", i, m, d)
		}
	}
	if visited*10 > kept {
		t.Fatalf("VisitDestinations of %d x %d allocated %d bytes, DestinationsOf %d; want under a tenth", n, d, visited, kept)
	}
	t.Logf("%d services x %d destinations: VisitDestinations %d bytes, DestinationsOf %d bytes", n, d, visited, kept)
}

// allocatedBytes is what fn allocates on the heap.
func allocatedBytes(fn func()) uint64 {
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	fn()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}
