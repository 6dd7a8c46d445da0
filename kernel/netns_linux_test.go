//go:build linux

package kernel_test

import (
	"context"
	"os"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/seesaw-lb/seesaw/kernel"
)

// newNetNS creates a network namespace and returns a file holding it,
// leaving the calling goroutine's thread in its original namespace.
func newNetNS(t *testing.T) *os.File {
	t.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	orig, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	defer orig.Close()
	if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
		t.Fatalf("unshare network namespace: %v", err)
	}
	ns, err := os.Open("/proc/thread-self/ns/net")
	if err := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); err != nil {
		t.Fatalf("return to the original namespace: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ns.Close() })
	return ns
}

// TestClientInNetNS: a client opened in another namespace manages that
// namespace's table only.
func TestClientInNetNS(t *testing.T) {
	host := dialKernel(t)
	ns := newNetNS(t)
	c, err := kernel.Dial(kernel.Options{NetNS: int(ns.Fd())})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	mustApply(t, c, addSvc(web4, kernel.ServiceConfig{Scheduler: "rr"}))
	if got := len(snapshot(t, c).Services); got != 1 {
		t.Fatalf("%d services in the namespace, want 1", got)
	}
	if got := len(snapshot(t, host).Services); got != 0 {
		t.Fatalf("%d services leaked into the initial namespace", got)
	}
	if err := c.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
}
