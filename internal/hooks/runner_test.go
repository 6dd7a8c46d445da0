package hooks

import (
	"context"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/testenv"
)

// script writes an executable /bin/sh script with body to a temp dir.
func script(t *testing.T, body string) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("hooks run on Unix only")
	}
	p := filepath.Join(t.TempDir(), "hook.sh")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// waitFor polls cond for up to 20 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// syncBuffer is the shared test buffer (testenv.Buffer).
type syncBuffer = testenv.Buffer

func newRunner(t *testing.T, o Options) (*Runner, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	o.Log = slog.New(slog.NewJSONHandler(logs, nil))
	r := New(o)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := r.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return r, logs
}

func readLines(t *testing.T, p string) []string {
	t.Helper()
	b, err := os.ReadFile(p)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(b))
}

// TestEnvironment: the run sees exactly PATH and the SEESAW_* variables,
// none of the daemon's own environment.
func TestEnvironment(t *testing.T) {
	t.Setenv("SEESAW_TEST_DAEMON_SECRET", "leak")
	dir := t.TempDir()
	out := filepath.Join(dir, "env")
	prog := script(t, "env > "+out)
	r, _ := newRunner(t, Options{})
	r.Update([]Hook{{Name: "env", On: []string{"master"}, Run: []string{prog}, Timeout: 10 * time.Second}})
	at := time.Date(2026, 12, 4, 19, 0, 0, 5e6, time.UTC)
	seq := r.Notify(Event{Kind: "master", Node: "lb1", Instance: "default", State: "master", PreviousState: "backup",
		Reason: "master-down", VIPs: []netip.Addr{netip.MustParseAddr("192.0.2.10"), netip.MustParseAddr("2001:db8::10")}, Time: at})
	waitFor(t, "the run", func() bool { return r.Stats()["env"].OK == 1 })
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if k, _, _ := strings.Cut(l, "="); k == "PWD" || k == "SHLVL" || k == "_" {
			continue // set by the shell itself
		}
		got = append(got, l)
	}
	slices.Sort(got)
	want := []string{
		"PATH=" + defaultPath,
		"SEESAW_EVENT=master",
		"SEESAW_HOOK=env",
		"SEESAW_INSTANCE=default",
		"SEESAW_NODE=lb1",
		"SEESAW_PREVIOUS_STATE=backup",
		"SEESAW_REASON=master-down",
		"SEESAW_SEQ=" + strconv.FormatUint(seq, 10),
		"SEESAW_SERVICE=",
		"SEESAW_STATE=master",
		"SEESAW_TIME=2026-12-04T19:00:00.005Z",
		"SEESAW_VIPS=192.0.2.10 2001:db8::10",
	}
	if !slices.Equal(got, want) {
		t.Errorf("environment:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestNoOverlap: events queued while a run is under way run after it, one
// at a time, in order.
func TestNoOverlap(t *testing.T) {
	dir := t.TempDir()
	prog := script(t, `cd `+dir+`
mkdir lock 2>/dev/null || echo overlap >> overlaps
sleep 0.1
echo $SEESAW_SEQ >> runs
rmdir lock`)
	r, _ := newRunner(t, Options{})
	r.Update([]Hook{{Name: "serial", On: []string{"master", "backup"}, Run: []string{prog}, Timeout: 10 * time.Second}})
	var want []string
	for i := range 4 {
		kind := []string{"master", "backup"}[i%2]
		want = append(want, strconv.FormatUint(r.Notify(Event{Kind: kind}), 10))
	}
	waitFor(t, "four runs", func() bool { return r.Stats()["serial"].OK == 4 })
	if o := readLines(t, filepath.Join(dir, "overlaps")); len(o) > 0 {
		t.Errorf("%d runs overlapped another", len(o))
	}
	if got := readLines(t, filepath.Join(dir, "runs")); !slices.Equal(got, want) {
		t.Errorf("runs in order %v, want %v", got, want)
	}
}

// TestTimeoutKillsTheGroup: a run past its timeout has its whole process
// group killed, a child that ignores SIGTERM included.
func TestTimeoutKillsTheGroup(t *testing.T) {
	dir := t.TempDir()
	prog := script(t, `trap '' TERM
sleep 60 &
echo $! > `+dir+`/child
sleep 60`)
	r, logs := newRunner(t, Options{Grace: 300 * time.Millisecond})
	r.Update([]Hook{{Name: "slow", On: []string{"fault"}, Run: []string{prog}, Timeout: 300 * time.Millisecond}})
	start := time.Now()
	r.Notify(Event{Kind: "fault"})
	waitFor(t, "the timeout", func() bool { return r.Stats()["slow"].Timeout == 1 })
	if took := time.Since(start); took > 15*time.Second {
		t.Errorf("the run took %s to end after a 300ms timeout", took)
	}
	pid, err := strconv.Atoi(strings.Join(readLines(t, filepath.Join(dir, "child")), ""))
	if err != nil {
		t.Fatalf("child pid: %v", err)
	}
	waitFor(t, "the child to be gone", func() bool { return !alive(pid) })
	if s := r.Stats()["slow"]; s.OK != 0 || s.Failed != 0 || s.Running {
		t.Errorf("stats %+v, want only one timeout", s)
	}
	if !strings.Contains(logs.String(), `"hook timed out: its process group was killed"`) {
		t.Errorf("no timeout record in the log:\n%s", logs)
	}
}

// TestOutputAndFailureLogged: a failing run is counted and logged with its
// output, exit code and hook name; the output is bounded.
func TestOutputAndFailureLogged(t *testing.T) {
	prog := script(t, `echo "to stdout"
echo "to stderr" >&2
head -c 5000 /dev/zero | tr '\0' x
exit 3`)
	r, logs := newRunner(t, Options{OutputLimit: 64})
	r.Update([]Hook{{Name: "bad", On: []string{"service_down"}, Run: []string{prog, "arg"}, Timeout: 10 * time.Second}})
	r.Notify(Event{Kind: "service_down", Service: "web"})
	waitFor(t, "the failure", func() bool { return r.Stats()["bad"].Failed == 1 })
	waitFor(t, "the log record", func() bool { return strings.Contains(logs.String(), `"hook failed"`) })
	log := logs.String()
	for _, want := range []string{`"hook":"bad"`, `"event":"service_down"`, `"service":"web"`, `"exit_code":3`,
		`"output":"to stdout\nto stderr\nxxxxxxxxxx`, `"output_dropped_bytes":4956`, `"duration":`} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %s:\n%s", want, log)
		}
	}
}

// TestStartFailureCounted: a program that cannot start is a failed run.
func TestStartFailureCounted(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing")
	script(t, "") // skips where hooks do not run
	r, logs := newRunner(t, Options{})
	r.Update([]Hook{{Name: "gone", On: []string{"stop"}, Run: []string{missing}}})
	r.Notify(Event{Kind: "stop"})
	waitFor(t, "the failure", func() bool { return r.Stats()["gone"].Failed == 1 })
	waitFor(t, "the log record", func() bool { return strings.Contains(logs.String(), "no such file") })
}

// gate is a script that records its SEESAW_SEQ, then waits for a file.
func gate(t *testing.T) (prog, dir string) {
	dir = t.TempDir()
	prog = script(t, `echo $SEESAW_SEQ >> `+dir+`/runs
while [ ! -e `+dir+`/open ]; do sleep 0.01; done`)
	return prog, dir
}

// TestDropsOldestAndNeverBlocks: while a run is held, Notify returns at
// once; events over the queue length push the oldest out and are counted.
func TestDropsOldestAndNeverBlocks(t *testing.T) {
	prog, dir := gate(t)
	r, logs := newRunner(t, Options{QueueLen: 2})
	r.Update([]Hook{{Name: "held", On: []string{"master", "backup"}, Run: []string{prog}, Timeout: time.Minute}})
	first := r.Notify(Event{Kind: "master"})
	waitFor(t, "the first run", func() bool { return r.Stats()["held"].Running })
	var seqs []uint64
	for i := range 4 {
		seqs = append(seqs, r.Notify(Event{Kind: []string{"backup", "master"}[i%2]}))
	}
	if s := r.Stats()["held"]; s.Dropped != 2 {
		t.Errorf("dropped %d, want 2", s.Dropped)
	}
	if !strings.Contains(logs.String(), `"hook queue full: dropping its oldest events"`) {
		t.Errorf("no overflow record in the log:\n%s", logs)
	}
	os.WriteFile(filepath.Join(dir, "open"), nil, 0o644)
	waitFor(t, "three runs", func() bool { return r.Stats()["held"].OK == 3 })
	want := []string{strconv.FormatUint(first, 10), strconv.FormatUint(seqs[2], 10), strconv.FormatUint(seqs[3], 10)}
	if got := readLines(t, filepath.Join(dir, "runs")); !slices.Equal(got, want) {
		t.Errorf("ran %v, want %v (the two oldest queued dropped)", got, want)
	}
}

// TestCloseRunsStopOnly: Close drops the queued events but "stop", and
// waits for the stop run.
func TestCloseRunsStopOnly(t *testing.T) {
	prog, dir := gate(t)
	r, _ := newRunner(t, Options{})
	r.Update([]Hook{{Name: "h", On: []string{"master", "stop"}, Run: []string{prog}, Timeout: time.Minute}})
	first := r.Notify(Event{Kind: "master"})
	waitFor(t, "the first run", func() bool { return r.Stats()["h"].Running })
	r.Notify(Event{Kind: "master"})
	stop := r.Notify(Event{Kind: "stop"})
	closed := make(chan error, 1)
	go func() { closed <- r.Close(context.Background()) }()
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) while a run was under way", err)
	case <-time.After(100 * time.Millisecond):
	}
	if seq := r.Notify(Event{Kind: "stop"}); seq != 0 {
		t.Errorf("Notify after Close queued seq %d", seq)
	}
	os.WriteFile(filepath.Join(dir, "open"), nil, 0o644)
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	want := []string{strconv.FormatUint(first, 10), strconv.FormatUint(stop, 10)}
	if got := readLines(t, filepath.Join(dir, "runs")); !slices.Equal(got, want) {
		t.Errorf("ran %v, want %v", got, want)
	}
	if s := r.Stats()["h"]; s.Dropped != 1 || s.OK != 2 {
		t.Errorf("stats %+v, want 2 ok and 1 dropped", s)
	}
}

// TestUpdateLive: a hook added, changed and removed at Update takes effect
// without a restart, and a re-added hook never overlaps its old run.
func TestUpdateLive(t *testing.T) {
	prog, dir := gate(t)
	r, logs := newRunner(t, Options{})
	r.Notify(Event{Kind: "master"}) // no hooks yet: nothing runs
	h := Hook{Name: "h", On: []string{"master"}, Run: []string{prog}, Timeout: time.Minute}
	r.Update([]Hook{h})
	first := r.Notify(Event{Kind: "master"})
	waitFor(t, "the first run", func() bool { return r.Stats()["h"].Running })
	r.Notify(Event{Kind: "master"}) // queued, then dropped by the removal
	r.Update(nil)
	h.On = []string{"backup"}
	r.Update([]Hook{h})
	second := r.Notify(Event{Kind: "backup"})
	r.Notify(Event{Kind: "master"}) // no longer wanted
	time.Sleep(100 * time.Millisecond)
	if got := readLines(t, filepath.Join(dir, "runs")); len(got) != 1 {
		t.Fatalf("runs %v while the first is held: the re-added hook overlapped it", got)
	}
	os.WriteFile(filepath.Join(dir, "open"), nil, 0o644)
	waitFor(t, "two runs", func() bool { return r.Stats()["h"].OK == 2 })
	want := []string{strconv.FormatUint(first, 10), strconv.FormatUint(second, 10)}
	if got := readLines(t, filepath.Join(dir, "runs")); !slices.Equal(got, want) {
		t.Errorf("ran %v, want %v", got, want)
	}
	if d := r.Stats()["h"].Dropped; d != 1 {
		t.Errorf("dropped %d, want 1 (queued at removal)", d)
	}
	r.Update([]Hook{h})
	h.Timeout = time.Second
	r.Update([]Hook{h})
	records := map[string]int{ // added twice: at first and after the removal
		`"msg":"hook added","hook":"h"`: 2, `"msg":"hook removed","hook":"h"`: 1, `"msg":"hook changed","hook":"h"`: 1}
	for rec, want := range records {
		if n := strings.Count(logs.String(), rec); n != want {
			t.Errorf("%d log records %s, want %d", n, rec, want)
		}
	}
}

// TestServicesFilter: a hook limited to some services runs on their
// events only, and on the events that name no service.
func TestServicesFilter(t *testing.T) {
	prog := script(t, "exit 0")
	r, _ := newRunner(t, Options{})
	r.Update([]Hook{{Name: "web", On: []string{"service_down", "master"}, Run: []string{prog}, Services: []string{"web"}}})
	r.Notify(Event{Kind: "service_down", Service: "db"})
	r.Notify(Event{Kind: "service_down", Service: "web"})
	r.Notify(Event{Kind: "master"})
	r.Notify(Event{Kind: "service_up", Service: "web"})
	waitFor(t, "two runs", func() bool { return r.Stats()["web"].OK == 2 })
	time.Sleep(50 * time.Millisecond)
	if s := r.Stats()["web"]; s.OK != 2 || s.Dropped != 0 {
		t.Errorf("stats %+v, want 2 runs (web down, master)", s)
	}
}

// TestInstancesFilter: a hook limited to some VRRP instances runs on their
// VRRP events only, and on the service events whatever their instance.
func TestInstancesFilter(t *testing.T) {
	prog := script(t, "exit 0")
	r, _ := newRunner(t, Options{})
	r.Update([]Hook{{Name: "vi1", On: []string{"master", "backup", "service_down"}, Run: []string{prog}, Instances: []string{"vi_1"}}})
	r.Notify(Event{Kind: "master", Instance: "vi_2"})
	r.Notify(Event{Kind: "master", Instance: "vi_1"})
	r.Notify(Event{Kind: "backup", Instance: "vi_2"})
	r.Notify(Event{Kind: "service_down", Service: "web", Instance: "vi_2"})
	r.Notify(Event{Kind: "stop", Instance: "vi_1"})
	waitFor(t, "two runs", func() bool { return r.Stats()["vi1"].OK == 2 })
	time.Sleep(50 * time.Millisecond)
	if s := r.Stats()["vi1"]; s.OK != 2 || s.Dropped != 0 {
		t.Errorf("stats %+v, want 2 runs (vi_1 master, web down)", s)
	}
}
