package checks

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
)

// Sentinel errors a failed check wraps, for errors.Is.
var (
	// ErrTimeout means the check did not complete within its timeout.
	ErrTimeout = errors.New("timed out")
	// ErrMismatch means the target answered, but not as expected.
	ErrMismatch = errors.New("unexpected reply")
	// ErrInvalidSpec means a check specification was rejected.
	ErrInvalidSpec = errors.New("invalid check")
)

// errUnsupported is why an Engine does not run off Linux: its checkers
// use Linux socket options (SO_MARK, SO_LINGER resets, epoll, raw sockets).
var errUnsupported = fmt.Errorf("health checks are not supported on %s: %w", runtime.GOOS, errors.ErrUnsupported)

// timeoutError marks err as a timeout when it is one, keeping its text.
func timeoutError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return &wrapped{err: err, kind: ErrTimeout}
	}
	var t interface{ Timeout() bool }
	if errors.As(err, &t) && t.Timeout() {
		return &wrapped{err: err, kind: ErrTimeout}
	}
	return err
}

// wrapped adds a sentinel kind to an error without changing its text.
type wrapped struct {
	err  error
	kind error
}

func (w *wrapped) Error() string { return w.err.Error() }

func (w *wrapped) Unwrap() []error { return []error{w.err, w.kind} }
