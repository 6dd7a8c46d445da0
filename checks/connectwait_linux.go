package checks

import (
	"container/heap"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// errLoopClosed ends the connects still waiting when the loop closes (at
// engine shutdown, whose results are discarded).
var errLoopClosed = errors.New("check engine stopped")

// connLoop waits for many non-blocking connects at once: one goroutine
// owns an epoll instance and a deadline heap, instead of a goroutine, a
// runtime poller registration and a timer per in-flight check. A connect
// is registered once (EPOLLOUT, one-shot); when it is writable the loop
// learns the outcome with one more connect call, closes the socket (with a
// reset) and reports; at its deadline it is closed as timed out.
type connLoop struct {
	epfd, wakefd int
	report       func(w *waiter, err error) // called on the loop goroutine
	now          func() time.Time           // the engine's clock
	done         chan struct{}
	// failed is set if epoll_wait failed and the loop stopped by itself:
	// the engine then runs plain connect checks on workers.
	failed atomic.Bool

	mu      sync.Mutex
	waiting map[int32]*waiter
	byDue   dueHeap[*waiter]
	wakeAt  int64 // when the loop goroutine wakes at the latest (unix ns)
	closed  bool
	free    []*waiter
}

// waiter is one connect in progress and what the engine needs to finish it.
type waiter struct {
	fd       int
	sa       unix.Sockaddr
	deadline int64 // unix nanoseconds
	index    int   // in byDue
	job      job
	start    time.Time
}

// newConnLoop opens the epoll instance and starts the loop goroutine.
func newConnLoop(report func(w *waiter, err error), now func() time.Time) (*connLoop, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("open connect loop: %w", os.NewSyscallError("epoll_create1", err))
	}
	wakefd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		unix.Close(epfd)
		return nil, fmt.Errorf("open connect loop: %w", os.NewSyscallError("eventfd", err))
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(wakefd)}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, wakefd, &ev); err != nil {
		unix.Close(epfd)
		unix.Close(wakefd)
		return nil, fmt.Errorf("open connect loop: %w", os.NewSyscallError("epoll_ctl", err))
	}
	l := &connLoop{epfd: epfd, wakefd: wakefd, report: report, now: now, done: make(chan struct{}),
		waiting: make(map[int32]*waiter)}
	go l.run()
	return l, nil
}

// add hands the loop a socket whose connect is in progress; it reports the
// outcome by deadline. It returns an error (and closes nothing) when the
// loop is closed or the socket cannot be registered: the caller finishes it.
func (l *connLoop) add(fd int, sa unix.Sockaddr, deadline time.Time, j job, start time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return errLoopClosed
	}
	w := reuse(&l.free)
	*w = waiter{fd: fd, sa: sa, deadline: deadline.UnixNano(), job: j, start: start}
	ev := unix.EpollEvent{Events: unix.EPOLLOUT | unix.EPOLLONESHOT, Fd: int32(fd)}
	if err := unix.EpollCtl(l.epfd, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
		l.free = append(l.free, w)
		return os.NewSyscallError("epoll_ctl", err)
	}
	l.waiting[int32(fd)] = w
	heap.Push(&l.byDue, w)
	if w.deadline < l.wakeAt {
		l.wakeAt = w.deadline
		l.wakeLocked()
	}
	return nil
}

// wakeLocked interrupts the loop's epoll_wait.
func (l *connLoop) wakeLocked() {
	unix.Write(l.wakefd, []byte{1, 0, 0, 0, 0, 0, 0, 0})
}

// close ends every waiting connect with errLoopClosed and waits for the
// loop goroutine, which closes the epoll instance.
func (l *connLoop) close() {
	l.mu.Lock()
	l.closed = true
	l.wakeLocked()
	l.mu.Unlock()
	<-l.done
}

// run is the loop goroutine: wait for writable sockets or the earliest
// deadline, finish what is ready, repeat until closed.
func (l *connLoop) run() {
	defer close(l.done)
	events := make([]unix.EpollEvent, 256)
	var ready []*waiter
	var errs []error
	for {
		n, err := unix.EpollWait(l.epfd, events, l.sleepMillis())
		if err != nil && err != unix.EINTR {
			// Not expected with valid arguments; stop rather than spin.
			l.failed.Store(true)
			l.shutdown(os.NewSyscallError("epoll_wait", err))
			return
		}
		ready, errs = l.collect(events[:max(n, 0)], ready[:0], errs[:0])
		for i, w := range ready {
			l.report(w, errs[i])
		}
		l.recycle(ready)
		if l.isClosed() {
			l.shutdown(errLoopClosed)
			return
		}
	}
}

// sleepMillis returns the epoll_wait timeout: until the earliest deadline,
// rounded up to a millisecond, or -1 with nothing waiting.
func (l *connLoop) sleepMillis() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.byDue) == 0 {
		l.wakeAt = 1<<63 - 1
		return -1
	}
	l.wakeAt = l.byDue[0].deadline
	d := time.Unix(0, l.wakeAt).Sub(l.now())
	return int(max(d+time.Millisecond-1, 0) / time.Millisecond)
}

// collect takes the waiters that became writable or reached their deadline
// out of the loop, learns each outcome and closes its socket.
func (l *connLoop) collect(evs []unix.EpollEvent, ready []*waiter, errs []error) ([]*waiter, []error) {
	l.mu.Lock()
	for _, ev := range evs {
		if int(ev.Fd) == l.wakefd {
			var b [8]byte
			unix.Read(l.wakefd, b[:])
			continue
		}
		if w, ok := l.waiting[ev.Fd]; ok {
			l.removeLocked(w)
			ready = append(ready, w)
			errs = append(errs, nil)
		}
	}
	now := l.now().UnixNano()
	for len(l.byDue) > 0 && l.byDue[0].deadline <= now {
		w := l.byDue[0]
		l.removeLocked(w)
		ready = append(ready, w)
		errs = append(errs, errTimedOut)
	}
	l.mu.Unlock()
	kept := 0
	for i, w := range ready {
		if errs[i] == nil {
			done, err := connectDone(w.fd, w.sa)
			switch {
			case !done && l.rearm(w):
				continue // woken before the handshake ended: wait on
			case !done:
				errs[i] = errLoopClosed
			case err != nil:
				errs[i] = connectError(w.job.ent.key.Target, err)
			}
		} else {
			errs[i] = fmt.Errorf("connect to %s: %w", w.job.ent.key.Target, errs[i])
		}
		unix.Close(w.fd)
		ready[kept], errs[kept] = w, errs[i]
		kept++
	}
	return ready[:kept], errs[:kept]
}

// rearm puts back a waiter woken before its handshake ended; false if the
// loop closed or the socket cannot be registered again.
func (l *connLoop) rearm(w *waiter) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	ev := unix.EpollEvent{Events: unix.EPOLLOUT | unix.EPOLLONESHOT, Fd: int32(w.fd)}
	if l.closed || unix.EpollCtl(l.epfd, unix.EPOLL_CTL_MOD, w.fd, &ev) != nil {
		return false
	}
	l.waiting[int32(w.fd)] = w
	heap.Push(&l.byDue, w)
	return true
}

// errTimedOut is a connect that reached its deadline.
var errTimedOut = &wrapped{err: os.ErrDeadlineExceeded, kind: ErrTimeout}

// removeLocked takes w out of the map and the heap.
func (l *connLoop) removeLocked(w *waiter) {
	delete(l.waiting, int32(w.fd))
	heap.Remove(&l.byDue, w.index)
}

// recycle keeps finished waiters for reuse.
func (l *connLoop) recycle(ws []*waiter) {
	l.mu.Lock()
	for _, w := range ws {
		*w = waiter{}
		l.free = append(l.free, w)
	}
	l.mu.Unlock()
}

func (l *connLoop) isClosed() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.closed
}

// shutdown ends every waiting connect with err and closes the loop's fds.
func (l *connLoop) shutdown(err error) {
	l.mu.Lock()
	l.closed = true
	var rest []*waiter
	for _, w := range l.waiting {
		rest = append(rest, w)
	}
	l.waiting, l.byDue = nil, nil
	l.mu.Unlock()
	for _, w := range rest {
		unix.Close(w.fd)
		l.report(w, err)
	}
	unix.Close(l.epfd)
	unix.Close(l.wakefd)
}

// dueAt and setIndex make a waiter a dueItem.
func (x *waiter) dueAt() int64   { return x.deadline }
func (x *waiter) setIndex(i int) { x.index = i }
