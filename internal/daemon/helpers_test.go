package daemon

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/testconfig"
	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/kerneltest"
	"github.com/seesaw-lb/seesaw/reconcile"
)

// The exit codes of `seesaw-reconcile run`, as runDaemon returns them.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// runDaemon runs the daemon with d as `seesaw-reconcile run args` would:
// the flags the tests use become Options, the log goes to stderr as text.
func runDaemon(ctx context.Context, d deps, hup <-chan os.Signal, args []string, _, stderr io.Writer) int {
	o, err := testOptions(args, stderr)
	if err != nil {
		return exitUsage
	}
	if run(ctx, d, hup, o) != nil {
		return exitFailure
	}
	return exitOK
}

// testOptions parses the run flags the tests pass (the command owns the
// real ones) into Options logging to w.
func testOptions(args []string, w io.Writer) (Options, error) {
	o := Options{Resync: 30 * time.Second, Log: slog.New(slog.NewTextHandler(w, nil))}
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(w)
	fs.StringVar(&o.ConfigDir, "config-dir", "/etc/seesaw", "")
	fs.StringVar(&o.StateDir, "state-dir", "", "")
	fs.StringVar(&o.ControlSocket, "control-socket", "", "")
	fs.StringVar(&o.ControlGroup, "control-group", "", "")
	fs.StringVar(&o.MetricsAddress, "metrics-address", "", "")
	fs.BoolVar(&o.Backup, "backup", false, "")
	err := fs.Parse(args)
	if o.StateDir == "" {
		// Beside the config directory, inside the test's temporary root.
		o.StateDir = filepath.Clean(o.ConfigDir) + ".state"
	}
	return o, err
}

// writeConfig writes files into a new directory.
func writeConfig(t *testing.T, files map[string]string) string {
	t.Helper()
	return testconfig.Dir(t, files)
}

// replaceFile replaces dir/name with content the way editors do (write,
// then rename), so the daemon never reads a half-written file.
func replaceFile(t testing.TB, dir, name, content string) {
	t.Helper()
	if err := renameInto(dir, name, content); err != nil {
		t.Fatal(err)
	}
}

// renameInto is replaceFile returning its error, for goroutines other
// than the test's.
func renameInto(dir, name, content string) error {
	tmp := filepath.Join(dir, "."+name+".tmp")
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, name))
}

const planNode = "node: {name: lb1, interface: eth1, scope: {prefixes: [192.0.2.0/24]}}\n"

func webFile(weight int) string {
	return "services:\n  - name: web\n    vip: 192.0.2.10\n    ports: [{proto: tcp, port: 80}]\n    scheduler: wrr\n" +
		"    backends: [{address: 198.51.100.1, weight: " + strconv.Itoa(weight) + "}, {address: 198.51.100.2}]\n"
}

// fakeDeps returns deps backed by one shared fake kernel.
func fakeDeps(t *testing.T) (deps, *kerneltest.IPVS) {
	f := kerneltest.NewIPVS()
	return deps{
		openKernel: func() (kernel.IPVS, error) { return f.Dial(kernel.Options{}) },
		now:        func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) },
		vips:       func(*slog.Logger) reconcile.VIPManager { return nil },
	}, f
}

// rendered is the fake kernel's table as `ipvsadm -Sn` prints it.
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
