package kerneltest

import (
	"fmt"
	"os"
	"syscall"
	"time"
)

// Stall makes the fake a kernel that stops answering: every receive on its
// sockets waits until the socket's deadline passes (it then fails as a real
// socket's does, matching os.ErrDeadlineExceeded), the socket closes, or
// Resume. Requests sent meanwhile are still applied; their answers arrive
// after Resume.
func (f *IPVS) Stall() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stall == nil {
		f.stall = make(chan struct{})
	}
}

// Resume ends a Stall: waiting receives go on.
func (f *IPVS) Resume() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stall != nil {
		close(f.stall)
		f.stall = nil
	}
}

// Stalled returns how many receives are waiting in a stall now.
func (f *IPVS) Stalled() int { return int(f.waiting.Load()) }

// stalled returns the channel Resume closes, nil when not stalled.
func (f *IPVS) stalled() chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stall
}

// waitStall waits while the fake is stalled, following deadline changes.
func (t *fakeTransport) waitStall() error {
	for {
		stall := t.f.stalled()
		if stall == nil {
			return nil
		}
		t.mu.Lock()
		closed, d, changed := t.closed, t.deadline, t.deadlineSet
		t.mu.Unlock()
		if closed {
			return syscall.EBADF
		}
		var expired <-chan time.Time
		if !d.IsZero() {
			timer := time.NewTimer(time.Until(d))
			defer timer.Stop()
			expired = timer.C
		}
		t.f.waiting.Add(1)
		select {
		case <-stall:
		case <-changed:
		case <-expired:
			t.f.waiting.Add(-1)
			return fmt.Errorf("recvmsg: %w", os.ErrDeadlineExceeded)
		}
		t.f.waiting.Add(-1)
	}
}
