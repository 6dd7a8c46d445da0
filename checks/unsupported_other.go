//go:build !linux

package checks

import (
	"context"
	"fmt"
	"net"
	"sync/atomic"
	"syscall"
	"time"
)

// This file lets the package build on every GOOS: Spec validation, keys and
// hysteresis are portable, but the checkers' sockets are Linux-only. Run
// stops at once with errUnsupported, so none of these is ever reached from
// an Engine; each fails with errUnsupported all the same.

// connLoop stands in for the Linux epoll connect loop.
type connLoop struct{ failed atomic.Bool }

// waiter stands in for a connect in progress.
type waiter struct {
	job   job
	start time.Time
}

func newConnLoop(func(*waiter, error), func() time.Time) (*connLoop, error) {
	return nil, errUnsupported
}

func (l *connLoop) add(int, any, time.Time, job, time.Time) error { return errUnsupported }

func (l *connLoop) close() {}

// halfOpen stands in for the Linux raw-socket SYN prober.
type halfOpen struct{ unmatched atomic.Uint64 }

func newHalfOpen(func([]done), func() time.Time) (*halfOpen, error) { return nil, errUnsupported }

func (p *halfOpen) start(batch []job) []job { return batch }

func (p *halfOpen) close() {}

func beginConnect(t Target) (int, any, error) { return -1, nil, connectError(t, errUnsupported) }

func connectOnly(_ context.Context, t Target) error { return connectError(t, errUnsupported) }

func connectError(t Target, err error) error { return fmt.Errorf("connect to %s: %w", t, err) }

func closeFD(int) {}

// dialer returns a dialer whose every socket fails with errUnsupported.
func dialer(Target) *net.Dialer {
	return &net.Dialer{KeepAlive: -1, Control: func(string, string, syscall.RawConn) error { return errUnsupported }}
}

func openRawICMP(bool) (net.PacketConn, error) { return nil, errUnsupported }
