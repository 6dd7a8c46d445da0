package daemon

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/seesaw-lb/seesaw/internal/testenv"
)

// TestReadOnlyConfigDir runs the daemon with its config directory bind
// mounted read-only (as a ConfigMap or a read-only bind mount is): drains
// and enables work, land in the state directory, and an overrides file an
// older release left in the config directory is still taken over. The
// mount lives in a mount namespace of a child test process.
func TestReadOnlyConfigDir(t *testing.T) {
	testenv.RequireNetNS(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestReadOnlyConfigDirInNamespace$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), "SEESAW_RO_CHILD=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS} // mounts made private by os/exec
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestReadOnlyConfigDirInNamespace") {
		t.Fatalf("child in a mount namespace: %v\n%s", err, out)
	}
}

// TestReadOnlyConfigDirInNamespace is TestReadOnlyConfigDir's child.
func TestReadOnlyConfigDirInNamespace(t *testing.T) {
	if os.Getenv("SEESAW_RO_CHILD") != "1" {
		t.Skip("runs inside TestReadOnlyConfigDir's mount namespace")
	}
	d, f := fakeDeps(t)
	dir := writeConfig(t, map[string]string{"node.yaml": planNode, "web.yaml": webFile(1),
		legacyOverridesFile: `{"drained": ["198.51.100.2"]}`})
	if err := syscall.Mount(dir, dir, "", syscall.MS_BIND, ""); err != nil {
		t.Fatalf("bind mount %s: %v", dir, err)
	}
	if err := syscall.Mount("", dir, "", syscall.MS_BIND|syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
		t.Fatalf("remount %s read-only: %v", dir, err)
	}
	t.Cleanup(func() { _ = syscall.Unmount(dir, syscall.MNT_DETACH) })
	if err := os.WriteFile(filepath.Join(dir, "probe"), nil, 0o600); !errors.Is(err, syscall.EROFS) {
		t.Fatalf("write into the read-only config directory: %v, want EROFS", err)
	}

	state := filepath.Join(t.TempDir(), "state")
	socket := filepath.Join(t.TempDir(), "ctl.sock")
	logs := runTestDaemon(t, d, "--config-dir", dir, "--state-dir", state, "--control-socket", socket, "--metrics-address", "off")
	eventually(t, "the migrated drain in the kernel", func() bool { return strings.Contains(rendered(t, f), "-r 198.51.100.2:80 -m -w 0") })
	eventually(t, "the control socket", func() bool { return ctl(socket, "status") == nil })
	if err := ctl(socket, "drain", "198.51.100.1"); err != nil {
		t.Fatalf("drain with a read-only config directory: %v", err)
	}
	if err := ctl(socket, "enable", "198.51.100.2"); err != nil {
		t.Fatalf("enable with a read-only config directory: %v", err)
	}
	eventually(t, "the drain and the enable in the kernel", func() bool {
		r := rendered(t, f)
		return strings.Contains(r, "-r 198.51.100.1:80 -m -w 0") && strings.Contains(r, "-r 198.51.100.2:80 -m -w 1")
	})
	st := statusOf(t, socket)
	if !slices.Equal(st.Drained, []string{"198.51.100.1"}) || len(st.Degraded) != 0 {
		t.Fatalf("status: drained %q, degraded %q", st.Drained, st.Degraded)
	}
	wantSavedDrains(t, state, []string{"198.51.100.1"})
	if !strings.Contains(logs.String(), "could not remove the old overrides file") {
		t.Errorf("no warning that the old file stays in the read-only directory:\n%s", logs)
	}
}
