//go:build linux

package vmlab

import (
	"fmt"
	"testing"

	"golang.org/x/sys/unix"
)

// SetLinkUp sets the interface name of the current namespace up or down
// (a cable put back or pulled, when name is a lab's bridge port) and fails
// t if it cannot. It sets the flag itself (SIOCGIFFLAGS, SIOCSIFFLAGS)
// rather than running ip: starting a process takes a varying part of a
// second under TCG, which would move the event off the moment a scenario
// chose for it.
func SetLinkUp(t testing.TB, name string, up bool) {
	t.Helper()
	if err := setLinkFlag(name, up); err != nil {
		t.Fatal(err)
	}
}

func setLinkFlag(name string, up bool) error {
	state := map[bool]string{true: "up", false: "down"}[up]
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("set %s %s: open a socket: %w", name, state, err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return fmt.Errorf("set %s %s: %w", name, state, err)
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("set %s %s: read its flags (SIOCGIFFLAGS): %w", name, state, err)
	}
	flags := ifr.Uint16()
	if up {
		flags |= unix.IFF_UP
	} else {
		flags &^= unix.IFF_UP
	}
	ifr.SetUint16(flags)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("set %s %s: write its flags (SIOCSIFFLAGS): %w", name, state, err)
	}
	return nil
}
