package reconcile

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/testenv"
)

// TestWatchBindMountReplaced: a bind mount placed over the config
// directory, and then another one over it, are changes within a second
// (found by the poll: mounts send no inotify event), and edits in the
// mounted directory are seen after each. The mounts live in a mount
// namespace of a child test process.
func TestWatchBindMountReplaced(t *testing.T) {
	testenv.RequireNetNS(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestWatchBindMountReplacedInNamespace$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), "SEESAW_MOUNT_CHILD=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS} // mounts made private by os/exec
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestWatchBindMountReplacedInNamespace") {
		t.Fatalf("child in a mount namespace: %v\n%s", err, out)
	}
}

// TestWatchBindMountReplacedInNamespace is TestWatchBindMountReplaced's child.
func TestWatchBindMountReplacedInNamespace(t *testing.T) {
	if os.Getenv("SEESAW_MOUNT_CHILD") != "1" {
		t.Skip("runs inside TestWatchBindMountReplaced's mount namespace")
	}
	top := t.TempDir()
	dir := filepath.Join(top, "seesaw")
	for _, r := range []string{"seesaw", "r1", "r2"} {
		release(t, filepath.Join(top, r), r)
	}
	t.Cleanup(func() {
		for syscall.Unmount(dir, syscall.MNT_DETACH) == nil {
		}
	})
	_, n := startWatcher(t, dir)
	for i, r := range []string{"r1", "r2"} {
		time.Sleep(2 * DefaultDebounce.Quiet)
		if err := syscall.Mount(filepath.Join(top, r), dir, "", syscall.MS_BIND, ""); err != nil {
			t.Fatalf("bind mount %s over %s: %v", r, dir, err)
		}
		waitWithin(t, time.Second, "a change for mount "+r, func() bool { return n.Load() >= int32(2*i+1) })
		changeAfterWrite(t, n, filepath.Join(dir, "node.yaml"), "an edit in "+r)
	}
}
