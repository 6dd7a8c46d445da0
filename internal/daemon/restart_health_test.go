package daemon

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/kerneltest"
)

// processIPVS is one daemon process's view of a kernel that outlives it:
// it records the ops the process applied, and once killed every call fails,
// as the calls of a process that is gone never reach the kernel.
type processIPVS struct {
	kernel.IPVS
	mu     sync.Mutex
	killed bool
	ops    []kernel.Op
	reads  int // full reads (Snapshot) by the loop's socket
}

var errKilled = errors.New("the process was killed")

func (p *processIPVS) Snapshot(ctx context.Context) (kernel.Snapshot, error) {
	if p.dead() {
		return kernel.Snapshot{}, errKilled
	}
	p.mu.Lock()
	p.reads++
	p.mu.Unlock()
	return p.IPVS.Snapshot(ctx)
}

func (p *processIPVS) Apply(ctx context.Context, ops []kernel.Op) ([]kernel.Result, error) {
	if p.dead() {
		return nil, errKilled
	}
	res, err := p.IPVS.Apply(ctx, ops)
	p.mu.Lock()
	for _, r := range res {
		if r.Err == nil {
			p.ops = append(p.ops, r.Op)
		}
	}
	p.mu.Unlock()
	return res, err
}

func (p *processIPVS) dead() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.killed
}

func (p *processIPVS) kill() {
	p.mu.Lock()
	p.killed = true
	p.mu.Unlock()
}

// applied renders the ops the process applied, one per line.
func (p *processIPVS) applied() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var b strings.Builder
	for _, op := range p.ops {
		fmt.Fprintf(&b, "%s weight %d\n", op, op.DestinationConfig.Weight)
	}
	return b.String()
}

// daemonProcess runs one daemon on the shared fake kernel f.
type daemonProcess struct {
	k      *processIPVS
	cancel context.CancelFunc
	done   chan int
	logs   *syncBuffer
	socket string
	once   sync.Once
	code   int
}

// stop cancels the daemon (SIGTERM) and returns its exit code; again, the same code.
func (p *daemonProcess) stop() int {
	p.once.Do(func() { p.cancel(); p.code = <-p.done })
	return p.code
}

func startProcess(t *testing.T, f *kerneltest.IPVS, dir string) *daemonProcess {
	t.Helper()
	d, _ := fakeDeps(t)
	c, err := f.Dial(kernel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := &daemonProcess{k: &processIPVS{IPVS: c}, done: make(chan int, 1), logs: &syncBuffer{},
		socket: filepath.Join(t.TempDir(), "ctl.sock")}
	opened := 0
	d.openKernel = func() (kernel.IPVS, error) {
		if opened++; opened == 1 {
			return p.k, nil
		}
		return f.Dial(kernel.Options{}) // the traffic counters' socket: its reads are not the loop's
	}
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	go func() {
		p.done <- runDaemon(ctx, d, make(chan os.Signal), []string{"--config-dir", dir, "--control-socket", p.socket,
			"--metrics-address", "127.0.0.1:0"}, p.logs, p.logs)
	}()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("daemon log:\n%s", p.logs.String())
		}
	})
	return p
}

// TestRestartKeepsUnhealthyBackendDown: a backend drained as unhealthy
// stays at weight 0 over a restart, whether the daemon stopped on SIGTERM
// or was killed (no shutdown path: the kernel outlives the process), until
// its check rises again; the healthy backend is not touched.
func TestRestartKeepsUnhealthyBackendDown(t *testing.T) {
	for _, stop := range []string{"SIGTERM", "kill"} {
		t.Run(stop, func(t *testing.T) {
			_, p2 := loopbackServer(t, "127.0.0.2")
			ln3, p3 := loopbackServer(t, "127.0.0.3")
			f := kerneltest.NewIPVS()
			files := checkedConfig(p2, p3)
			files["web.yaml"] = strings.Replace(files["web.yaml"], "rise: 1", "rise: 3", 1)
			dir := writeConfig(t, files)
			hasWeight := func(b string, w int) func() bool {
				return func() bool { return strings.Contains(rendered(t, f), fmt.Sprintf("-r %s -g -w %d\n", b, w)) }
			}
			b2, b3 := fmt.Sprintf("127.0.0.2:%d", p2), fmt.Sprintf("127.0.0.3:%d", p3)

			first := startProcess(t, f, dir)
			eventually(t, "both backends at weight 1", func() bool { return hasWeight(b2, 1)() && hasWeight(b3, 1)() })
			ln3.Close()
			eventually(t, "the stopped backend at weight 0", hasWeight(b3, 0))
			switch stop {
			case "SIGTERM":
				if code := first.stop(); code != exitOK {
					t.Fatalf("exit code %d", code)
				}
			case "kill": // stopped only when the test ends, cut off from the kernel now
				first.k.kill()
			}
			before := rendered(t, f)

			second := startProcess(t, f, dir)
			eventually(t, "the restarted daemon's failed check in status", func() bool {
				r, err := NewClient(second.socket).Status()
				if err != nil || r.Generation == 0 || r.LastRound.At.IsZero() {
					return false
				}
				for _, b := range r.Services[0].Backends {
					if b.Address == b3 {
						return !b.Healthy && b.LastCheck != "" && b.LastCheck != "ok"
					}
				}
				return false
			})
			if ops := second.k.applied(); ops != "" || rendered(t, f) != before {
				t.Fatalf("the restart gave the unhealthy backend traffic: applied\n%s", ops)
			}
			second.k.mu.Lock()
			reads := second.k.reads
			second.k.mu.Unlock()
			if reads != 1 {
				t.Fatalf("the restarted daemon read the whole table %d times up to its first round, want 1 (the adoption read serves the first round)", reads)
			}

			// The backend comes back: it rises after its checks pass, and that
			// is the only op of the restarted daemon.
			ln, err := net.Listen("tcp", b3)
			if err != nil {
				t.Fatal(err)
			}
			go acceptAndClose(ln)
			t.Cleanup(func() { ln.Close() })
			eventually(t, "the recovered backend at weight 1", hasWeight(b3, 1))
			want := fmt.Sprintf("update destination %s in service tcp/192.0.2.10:80 weight 1\n", b3)
			if ops := second.k.applied(); ops != want || !hasWeight(b2, 1)() {
				t.Fatalf("applied after the restart:\n%swant:\n%s", ops, want)
			}
		})
	}
}
