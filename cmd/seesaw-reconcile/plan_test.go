package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/kerneltest"
)

// fakeDeps returns deps backed by one shared fake kernel.
func fakeDeps(t *testing.T) (deps, *kerneltest.IPVS) {
	f := kerneltest.NewIPVS()
	return deps{
		openKernel: func() (kernel.IPVS, error) { return f.Dial(kernel.Options{}) },
		now:        func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) },
		isTerminal: func(io.Writer) bool { return false },
		socket:     filepath.Join(t.TempDir(), "no-daemon.sock"),
		listAddresses: func(context.Context, []string) (map[string][]netip.Prefix, error) {
			return nil, errors.ErrUnsupported // as off Linux; tests that preview addresses set their own
		},
	}, f
}

const planNode = "node: {name: lb1, interface: eth1, scope: {prefixes: [192.0.2.0/24]}}\n"

func webFile(weight int) string {
	return "services:\n  - name: web\n    vip: 192.0.2.10\n    ports: [{proto: tcp, port: 80}]\n    scheduler: wrr\n" +
		"    backends: [{address: 198.51.100.1, weight: " + strconv.Itoa(weight) + "}, {address: 198.51.100.2}]\n"
}

func runWith(d deps, f func(deps, []string, io.Writer, io.Writer) int, args ...string) (int, string, string) {
	var o, e bytes.Buffer
	code := f(d, args, &o, &e)
	return code, o.String(), e.String()
}

func TestPlanAndApplyAgainstFakeKernel(t *testing.T) {
	d, f := fakeDeps(t)
	dir := writeConfig(t, map[string]string{"node.yaml": planNode, "web.yaml": webFile(10)})

	code, out, errs := runWith(d, runPlan, "--config-dir", dir)
	if code != exitChanges || !strings.Contains(out, "+ service tcp/192.0.2.10:80 wrr\n") ||
		!strings.Contains(out, "Plan: services 1 to add") {
		t.Fatalf("plan on empty kernel: code %d\n%s%s", code, out, errs)
	}
	code, _, errs = runWith(d, runApply, "--once", "--config-dir", dir)
	if code != exitChanges {
		t.Fatalf("apply: code %d: %s", code, errs)
	}
	want := "-A -t 192.0.2.10:80 -s wrr\n-a -t 192.0.2.10:80 -r 198.51.100.1:80 -m -w 10\n-a -t 192.0.2.10:80 -r 198.51.100.2:80 -m -w 1\n"
	if got := rendered(t, f); got != want {
		t.Fatalf("kernel after apply:\n%s\nwant:\n%s", got, want)
	}
	for _, args := range [][]string{{"plan"}, {"apply", "--once"}} {
		f := map[string]func(deps, []string, io.Writer, io.Writer) int{"plan": runPlan, "apply": runApply}[args[0]]
		code, out, _ = runWith(d, f, append(args[1:], "--config-dir", dir)...)
		if code != exitNoChanges || !strings.Contains(out, "No changes") {
			t.Fatalf("%s after apply: code %d\n%s", args[0], code, out)
		}
	}

	// One weight edit: exactly one op, in JSON too.
	dir2 := writeConfig(t, map[string]string{"node.yaml": planNode, "web.yaml": webFile(20)})
	code, out, _ = runWith(d, runPlan, "--config-dir", dir2, "--output", "json")
	var jp struct {
		Changes []struct{ Line string }
	}
	if err := json.Unmarshal([]byte(out), &jp); err != nil || code != exitChanges || len(jp.Changes) != 1 ||
		jp.Changes[0].Line != "~ destination 198.51.100.1:80 in tcp/192.0.2.10:80 weight 10 -> 20" {
		t.Fatalf("json plan: code %d err %v\n%s", code, err, out)
	}
}

// rendered returns the fake's table as ipvsadm -Sn prints it.
func rendered(t *testing.T, f *kerneltest.IPVS) string {
	t.Helper()
	c, err := f.Dial(kernel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := c.Snapshot(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return kernel.RenderIPVSADM(s)
}

func TestPlanErrorsAndGuard(t *testing.T) {
	d, f := fakeDeps(t)
	bad := writeConfig(t, map[string]string{"node.yaml": planNode, "web.yaml": "services:\n  - name: web\n    vip: 192.0.2.10\n    ports: [{proto: tcp, port: 70000}]\n"})
	code, _, errs := runWith(d, runPlan, "--config-dir", bad)
	if code != exitError || !strings.Contains(errs, "web.yaml:4:") {
		t.Fatalf("invalid config: code %d, stderr %q", code, errs)
	}
	if code, _, _ := runWith(d, runPlan, "--bogus"); code != exitError {
		t.Fatalf("usage error: code %d, want 1", code)
	}
	if code, _, _ := runWith(d, runApply, "--config-dir", bad); code != exitError {
		t.Fatalf("apply without --once: code %d", code)
	}

	// Ten services by hand in the scope; a config naming one: held back.
	c, _ := f.Dial(kernel.Options{})
	defer c.Close()
	var ops []kernel.Op
	for i := 1; i <= 10; i++ {
		k := kernel.NewServiceKey(kernel.TCP, netip.AddrFrom4([4]byte{192, 0, 2, byte(100 + i)}), 80)
		ops = append(ops, kernel.Op{Kind: kernel.AddService, Service: k, ServiceConfig: kernel.ServiceConfig{Scheduler: "rr"}})
	}
	if _, err := c.Apply(t.Context(), ops); err != nil {
		t.Fatal(err)
	}
	before := rendered(t, f)
	dir := writeConfig(t, map[string]string{"node.yaml": planNode, "web.yaml": webFile(10)})
	code, out, errs := runWith(d, runApply, "--once", "--config-dir", dir)
	if code != exitError || !strings.Contains(out, "HELD BACK: mass-delete guard: plan deletes 10 of 10") ||
		!strings.Contains(errs, "held back") || rendered(t, f) != before {
		t.Fatalf("guard: code %d\n%s%s", code, out, errs)
	}
	if code, _, errs = runWith(d, runApply, "--once", "--allow-mass-delete", "--config-dir", dir); code != exitChanges {
		t.Fatalf("allowed mass delete: code %d %s", code, errs)
	}
	if got := strings.Count(rendered(t, f), "-A "); got != 1 {
		t.Fatalf("%d services left, want 1", got)
	}
}

func TestDryRunSpelling(t *testing.T) {
	rest, ok := dryRunArgs([]string{"--config-dir", "x", "--dry-run", "--output", "json"})
	if !ok || strings.Join(rest, " ") != "--config-dir x --output json" {
		t.Fatalf("%v %v", rest, ok)
	}
	if rest, ok := dryRunArgs([]string{"dry-run", "--output", "json"}); !ok || len(rest) != 2 {
		t.Fatalf("dry-run subcommand: %v %v", rest, ok)
	}
	if _, ok := dryRunArgs([]string{"validate"}); ok {
		t.Fatal("validate taken for --dry-run")
	}
}
