//go:build linux

package ipvsbench

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"

	"golang.org/x/sys/unix"
)

// Every measured run gets a fresh network namespace (own IPVS table, own
// destination trash list): the kernel keeps deleted destinations in a trash
// list that NEW_DEST searches linearly, so reusing one namespace would make
// each contender pay for the ones before it.

// nsSetup makes destinations routable: IPVS refuses addresses its FIB
// classifies as non-unicast.
var nsSetup = [][]string{
	{"link", "set", "lo", "up"},
	{"link", "add", "dummy0", "type", "dummy"},
	{"link", "set", "dummy0", "up"},
	{"addr", "add", "203.0.113.1/24", "dev", "dummy0"},
	{"route", "add", "default", "dev", "dummy0"},
}

// newNS creates a prepared namespace and returns a file holding it.
func newNS() (*os.File, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	orig, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		return nil, err
	}
	defer orig.Close()
	if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
		return nil, fmt.Errorf("unshare: %w", err)
	}
	defer unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET)
	for _, args := range nsSetup {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("ip %v: %v: %s", args, err, out)
		}
	}
	return os.Open("/proc/thread-self/ns/net")
}

// inNS runs fn on a thread inside ns: sockets it opens and programs it
// starts live there.
func inNS(ns *os.File, fn func() error) error {
	runtime.LockOSThread()
	orig, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		runtime.UnlockOSThread()
		return err
	}
	defer orig.Close()
	if err := unix.Setns(int(ns.Fd()), unix.CLONE_NEWNET); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("setns: %w", err)
	}
	ferr := fn()
	if err := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); err != nil {
		return fmt.Errorf("return from namespace: %w", err) // thread stays locked and dies with the goroutine
	}
	runtime.UnlockOSThread()
	return ferr
}
