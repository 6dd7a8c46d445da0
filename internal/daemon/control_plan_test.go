package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/kerneltest"
	"github.com/seesaw-lb/seesaw/reconcile"
)

// planConfig is a standalone node and one service with three tcp-checked
// loopback backends at weight 5; web2 is its backend 127.0.0.2 at weight w.
// The checks tolerate a slow machine (the race detector): a listening
// backend must not time out, a closed port fails at once.
func planConfig(w int, p2, p3, p4 uint16) map[string]string {
	return map[string]string{
		"node.yaml": planNode,
		"web.yaml": fmt.Sprintf("services:\n  - name: web\n    vip: 192.0.2.10\n    ports: [{proto: tcp, port: 80}]\n    forward: nat\n"+
			"    checks: [{type: tcp, interval: 300ms, timeout: 250ms, fall: 3, rise: 1}]\n"+
			"    backends: [{address: 127.0.0.2, port: %d, weight: %d}, {address: 127.0.0.3, port: %d, weight: 5}, {address: 127.0.0.4, port: %d, weight: 5}]\n",
			p2, w, p3, p4),
	}
}

// writeAtomic replaces path with content by a rename, as a deploy should:
// the watcher never sees the file half written (an empty web.yaml is a
// valid config without services).
func writeAtomic(t *testing.T, path, content string) {
	t.Helper()
	tmp := filepath.Join(filepath.Dir(path), ".tmp-"+filepath.Base(path))
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// planOnDisk plans the files of dir against the fake kernel with in.
func planOnDisk(t *testing.T, f *kerneltest.IPVS, dir string, in func(desired.Config) reconcile.Inputs) reconcile.Plan {
	t.Helper()
	cfg, err := desired.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.Dial(kernel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	live, err := c.Snapshot(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return reconcile.Compute(live, in(cfg)).Plan
}

func planLinesOf(p reconcile.Plan) []string {
	var out []string
	for _, s := range p.Steps {
		out = append(out, reconcile.StepLine(s))
	}
	return out
}

func TestPlanInputsGiveTheDaemonsNextRound(t *testing.T) {
	_, p2 := loopbackServer(t, "127.0.0.2")
	ln3, p3 := loopbackServer(t, "127.0.0.3")
	_, p4 := loopbackServer(t, "127.0.0.4")
	d, f := fakeDeps(t)
	dir := writeConfig(t, planConfig(5, p2, p3, p4))
	socket, _ := startDaemon(t, d, dir)
	b2, b3, b4 := fmt.Sprintf("127.0.0.2:%d", p2), fmt.Sprintf("127.0.0.3:%d", p3), fmt.Sprintf("127.0.0.4:%d", p4)
	hasWeight := func(b string, w int) func() bool {
		return func() bool { return strings.Contains(rendered(t, f), fmt.Sprintf("-r %s -g -w %d\n", b, w)) }
	}
	eventually(t, "every backend at weight 5", func() bool { return hasWeight(b2, 5)() && hasWeight(b3, 5)() && hasWeight(b4, 5)() })
	ln3.Close()
	eventually(t, "the stopped backend at weight 0", hasWeight(b3, 0))
	if err := ctl(socket, "drain", b4); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the drained backend at weight 0", hasWeight(b4, 0))

	pi, err := NewClient(socket).PlanInputs()
	if err != nil {
		t.Fatalf("plan inputs: %v", err)
	}
	if !pi.Master || pi.VRRP || pi.Generation < 1 || pi.Unhealthy() != 1 || !slices.Equal(pi.Drained, []string{b4}) || !pi.States["web"] {
		t.Fatalf("plan inputs: %+v", pi)
	}
	want := fmt.Sprintf("planned with the running daemon: standalone master, generation %d, 1 backend unhealthy, 1 drained by hand", pi.Generation)
	if got := pi.Describe(); got != want {
		t.Fatalf("Describe() = %q\nwant %q", got, want)
	}
	// The inputs survive their JSON form (the CLI reads them from the socket).
	b, _ := json.Marshal(pi)
	var back PlanInputs
	if err := json.Unmarshal(b, &back); err != nil || back.Unhealthy() != 1 || back.Health[0].Key != pi.Health[0].Key {
		t.Fatalf("plan inputs after JSON: %+v, %v\n%s", back, err, b)
	}

	// Unchanged files: the daemon's inputs plan nothing; planning as if
	// every backend were healthy and none drained shows both coming back.
	if p := planOnDisk(t, f, dir, back.Inputs); !p.Empty() {
		t.Fatalf("plan with the daemon's inputs, files unchanged: %q", planLinesOf(p))
	}
	naive := planOnDisk(t, f, dir, func(cfg desired.Config) reconcile.Inputs {
		return reconcile.Inputs{Config: cfg, Master: true, Now: time.Now()}
	})
	if len(naive.Steps) != 2 {
		t.Fatalf("plan without the daemon's inputs: %q, want the unhealthy and the drained backend back at 5", planLinesOf(naive))
	}

	// A real edit still shows, and only it.
	for name, content := range planConfig(7, p2, p3, p4) {
		writeAtomic(t, filepath.Join(dir, name), content)
	}
	// (The fake kernel, like IPVS, reports a loopback destination as local.)
	wantLine := fmt.Sprintf("~ destination %s in tcp/192.0.2.10:80 weight 5 -> 7, forward local -> nat", b2)
	p := planOnDisk(t, f, dir, back.Inputs)
	if got := planLinesOf(p); hasWeight(b2, 5)() && !slices.Equal(got, []string{wantLine}) {
		t.Fatalf("plan of a weight edit: %q\nwant %q", got, wantLine)
	}

	// apply: the daemon reloads, and when the call returns its round has
	// run: the kernel has the edit, the drained and unhealthy backends
	// kept at 0.
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	res, err := NewClient(socket).Apply(ctx)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	if res.Outcome != ApplyApplied || res.Generation <= pi.Generation || !hasWeight(b2, 7)() || !hasWeight(b3, 0)() || !hasWeight(b4, 0)() {
		t.Fatalf("apply: %+v\n%s", res, rendered(t, f))
	}
	if res.Applied > 0 && !slices.Equal(res.Ops, []string{wantLine}) {
		t.Fatalf("apply ops: %q, want %q", res.Ops, wantLine)
	}
	// Again: nothing to do, and a new generation.
	again, err := NewClient(socket).Apply(ctx)
	if err != nil || again.Outcome != ApplyApplied || again.Applied != 0 || len(again.Ops) != 0 || again.Generation <= res.Generation {
		t.Fatalf("apply with nothing to do: %+v, %v", again, err)
	}
	// An invalid file is rejected, and the config in force keeps running.
	writeAtomic(t, filepath.Join(dir, "web.yaml"), "services:\n  - name: web\n    vip: 192.0.2.10\n    ports: [{proto: tcp, port: 70000}]\n")
	bad, err := NewClient(socket).Apply(ctx)
	if err != nil || bad.Outcome != ApplyRejected || !strings.Contains(bad.Error, "web.yaml:4:") || bad.Generation < again.Generation || !hasWeight(b2, 7)() {
		t.Fatalf("apply of an invalid file: %+v, %v (the generation before: %d)\n%s", bad, err, again.Generation, rendered(t, f))
	}
}

func TestClientSaysNoDaemon(t *testing.T) {
	_, err := NewClient(filepath.Join(t.TempDir(), "none.sock")).PlanInputs()
	if !errors.Is(err, ErrNoDaemon) {
		t.Fatalf("plan inputs without a daemon: %v, want ErrNoDaemon", err)
	}
}
