// Package netnsexec runs code inside a named network namespace (tests that
// build topologies with `ip netns add`).
package netnsexec

import (
	"fmt"
	"os"
	"runtime"

	"golang.org/x/sys/unix"
)

// Do runs fn on an OS thread moved into the namespace /run/netns/<ns> and
// returns its error. The thread is discarded afterwards (its goroutine
// exits locked), so no other goroutine ever runs in the namespace. Sockets
// fn opens stay in the namespace and can be used from any goroutine.
func Do(ns string, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		f, err := os.Open("/var/run/netns/" + ns)
		if err != nil {
			errc <- err
			return
		}
		defer f.Close()
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("setns %s: %w", ns, err)
			return
		}
		errc <- fn()
	}()
	return <-errc
}
