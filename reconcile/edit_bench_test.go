package reconcile

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/internal/editbench"
	"github.com/seesaw-lb/seesaw/kernel"
)

// editEnv is the daemon's edit path in process: a directory of services x
// 10 destinations (1,000 unless newEditEnvN says), a Loader, and a Loop on
// the fake kernel.
type editEnv struct {
	dir, editFile string
	first, per    int
	loader        *desired.Loader
	loop          *Loop
	ipvs          kernel.IPVS
}

func newEditEnv(t testing.TB, files int) *editEnv { return newEditEnvN(t, 1000, files) }

// newEditEnvN spreads services over files; the edited service is s0550.
func newEditEnvN(t testing.TB, services, files int) *editEnv {
	dir := t.TempDir()
	per := services / files
	e := &editEnv{dir: dir, per: per, first: 550 / per * per, editFile: fmt.Sprintf("s%03d.yaml", 550/per)}
	e.write(t, "node.yaml", "node: {name: vm, interface: dummy0, scope: {prefixes: [192.0.2.0/24]}, resync_interval: 1h}\n")
	for f := range files {
		e.write(t, fmt.Sprintf("s%03d.yaml", f), editbench.File(per*f, per, -1, 0))
	}
	written := time.Now()
	_, e.ipvs = fakeWith(t)
	e.loader = &desired.Loader{Dir: dir}
	e.loop = NewLoop(LoopOptions{Kernel: e.ipvs})
	e.reload(t)
	settle(t, e, written)
	return e
}

// settle waits until the files are older than the Loader's 2 s racy
// window and loads them once more, so their stamps vouch for them: the
// daemon's state when an edit comes minutes after the files were
// written. Before that, every Load reads every file again.
func settle(t testing.TB, e *editEnv, written time.Time) {
	time.Sleep(time.Until(written.Add(2*time.Second + 100*time.Millisecond)))
	e.reload(t)
}

func (e *editEnv) write(t testing.TB, name, content string) {
	if err := os.WriteFile(filepath.Join(e.dir, name), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// reload loads the directory and runs one round, as the daemon does after a burst.
func (e *editEnv) reload(t testing.TB) {
	cfg, _, err := e.loader.Load()
	if err != nil {
		t.Fatal(err)
	}
	e.loop.SetConfig(cfg)
	e.loop.drainEvents()
	e.loop.Round(context.Background())
}

// edit writes weight w into the edited backend and reconciles.
func (e *editEnv) edit(t testing.TB, w int) {
	e.write(t, e.editFile, editbench.File(e.first, e.per, 550, w))
	e.reload(t)
	st := e.loop.Status()
	if st.Error != "" || st.Applied[kernel.UpdateDestination] != 1 {
		t.Fatalf("edit %d: applied %v, error %q", w, st.Applied, st.Error)
	}
}

// BenchmarkEditPath is the VM benchmark's edit in process: write one file,
// load, plan, apply to the fake kernel.
func BenchmarkEditPath(b *testing.B) {
	for _, files := range []int{10, 100} {
		b.Run(fmt.Sprintf("files=%d", files), func(b *testing.B) {
			e := newEditEnv(b, files)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				e.edit(b, 2+i%100)
				i++
			}
		})
	}
}

func BenchmarkEditPhases(b *testing.B) {
	for _, files := range []int{10, 100} {
		e := newEditEnv(b, files)
		b.Run(fmt.Sprintf("load/files=%d", files), func(b *testing.B) {
			i := 0
			for b.Loop() {
				e.write(b, e.editFile, editbench.File(e.first, e.per, 550, 2+i%100))
				i++
				e.loader.Load()
			}
		})
		b.Run(fmt.Sprintf("compute/files=%d", files), func(b *testing.B) {
			for b.Loop() {
				e.loop.compute(t0)
			}
		})
		b.Run(fmt.Sprintf("patch/files=%d", files), func(b *testing.B) {
			for b.Loop() {
				patch(e.loop.live, []kernel.Result{{Op: kernel.Op{Kind: kernel.UpdateDestination, Service: e.loop.live.Services[5].Key, Destination: e.loop.live.Services[5].Destinations[0].Key}}})
			}
		})
	}
}
