package vrrp

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// sendThread is the Linux timing thread of one socket (see threadGuard).
type sendThread struct {
	fd      int // a duplicate of the socket's descriptor; run closes it
	primary netip.Addr
	zone    uint32
	msgs    *destMsgs // the destinations SendAt encodes for; mu's
	// gen counts the destination sets: a slot of an older one is not
	// sent (setPeers).
	gen atomic.Uint64
	// last is the last advert SendAt queued, to leave at lastAt; mu's.
	last   Advert
	lastAt time.Time
	slots  [threadSlots]threadSlot
	free   chan int // slots SendAt may fill
	queue  chan int // filled slots, in departure order
	log    *slog.Logger

	mu     sync.Mutex // orders SendAt and setPeers against close
	closed bool
	done   chan struct{}

	tid                      atomic.Int32
	sent, errs, late, goLate atomic.Uint64
	maxLate, maxGoLate       atomic.Int64
}

// threadSlot is one encoded advert waiting for its departure.
type threadSlot struct {
	due  int64     // CLOCK_MONOTONIC nanoseconds
	msgs *destMsgs // the destinations pkts are for
	gen  uint64    // msgs's generation
	pkts [][]byte  // the advert encoded for each destination
}

// newSendThread starts the timing thread sending on fd, which it then
// owns, to dsts from primary with the control message oob (zone: the
// scope of IPv6 link-local destinations). It returns once the thread runs;
// prioErr says why it could not have SCHED_FIFO priority prio (nil when
// it has it, or prio is 0).
func newSendThread(fd int, primary netip.Addr, dsts []netip.Addr, zone uint32, oob []byte, prio int, log *slog.Logger) (t *sendThread, prioErr error) {
	t = &sendThread{
		fd: fd, primary: primary, zone: zone, msgs: newDestMsgs(dsts, zone, oob), log: log,
		free: make(chan int, threadSlots), queue: make(chan int, threadSlots), done: make(chan struct{}),
	}
	for i := range t.slots {
		t.free <- i
	}
	started := make(chan error, 1)
	go t.run(prio, started)
	return t, <-started
}

// KernelTimed reports nil: SendAt releases adverts on time.
func (t *sendThread) KernelTimed() error { return nil }

// SendAt encodes a for every destination and hands it to the thread to
// leave at at, a time on the time.Now line.
func (t *sendThread) SendAt(a Advert, at time.Time) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.queueAdvert(a, at)
}

// queueAdvert is SendAt with mu held.
func (t *sendThread) queueAdvert(a Advert, at time.Time) error {
	if t.closed {
		return fmt.Errorf("queue advert on the vrrp timing thread: %w", net.ErrClosed)
	}
	var i int
	select {
	case i = <-t.free:
	default:
		return ErrThreadBusy
	}
	s := &t.slots[i]
	if n := len(t.msgs.dsts); cap(s.pkts) < n {
		s.pkts = make([][]byte, n)
	} else {
		s.pkts = s.pkts[:n]
	}
	s.msgs, s.gen = t.msgs, t.gen.Load()
	for j := range t.msgs.dsts {
		b, err := a.AppendMarshal(s.pkts[j][:0], t.primary, t.msgs.dsts[j].addr)
		if err != nil {
			t.free <- i
			return err
		}
		s.pkts[j] = b
	}
	s.due = monotonicAt(at)
	t.last, t.lastAt = a, at
	t.queue <- i // never blocks: the queue holds every slot
	return nil
}

// setPeers sends every advert from now on to dsts: the adverts waiting,
// encoded for the old destinations, are not sent, and the last one
// queued, if it is still to come, is queued again for dsts at its time
// (a failure to is logged: the next advert goes to dsts).
// The thread's slots change hands through its queue, so a slot being
// sent keeps the destinations it was encoded for.
func (t *sendThread) setPeers(dsts []netip.Addr) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	t.msgs = newDestMsgs(dsts, t.zone, t.msgs.oob)
	t.gen.Add(1)
	if t.lastAt.After(time.Now()) {
		if err := t.queueAdvert(t.last, t.lastAt); err != nil {
			// The destinations changed all the same; the next advert goes there.
			t.log.Warn("vrrp timing thread: queue the waiting advert again for the new destinations", "err", err)
		}
	}
}

// close sends the adverts still waiting, then stops the thread and closes
// its descriptor.
func (t *sendThread) close() {
	t.mu.Lock()
	if !t.closed {
		t.closed = true
		close(t.queue)
	}
	t.mu.Unlock()
	<-t.done
}

func (t *sendThread) threadStats() threadStats {
	return threadStats{sent: t.sent.Load(), errors: t.errs.Load(), late: t.late.Load(),
		maxLate: time.Duration(t.maxLate.Load()), goLate: t.goLate.Load(), maxGoLate: time.Duration(t.maxGoLate.Load())}
}

// run is the thread. It keeps its OS thread to the end: the thread exits
// with the goroutine, so its real-time policy never reaches another one.
func (t *sendThread) run(prio int, started chan<- error) {
	runtime.LockOSThread()
	defer close(t.done)
	defer unix.Close(t.fd)
	t.tid.Store(int32(unix.Gettid()))
	var err error
	if prio > 0 {
		err = setRealtime(prio)
	}
	started <- err
	rd := openRunDelay()
	defer rd.close()
	for i := range t.queue {
		s := &t.slots[i]
		if s.gen != t.gen.Load() {
			t.free <- i // encoded for destinations no longer wanted
			continue
		}
		waited := rd.read()
		sleepUntil(s.due)
		if s.gen != t.gen.Load() {
			t.free <- i // the destinations changed while it waited
			continue
		}
		err := t.sendSlot(s)
		late := time.Duration(monoNanos() - s.due)
		t.count(late, late-time.Duration(rd.read()-waited), err)
		t.free <- i
	}
}

// sendSlot sends s to every destination with raw sendmsg calls.
func (t *sendThread) sendSlot(s *threadSlot) error {
	if j, errno := s.msgs.send(t.fd, s.pkts); errno != 0 {
		return fmt.Errorf("send advert to %s from the vrrp timing thread: %w", s.msgs.dsts[j].addr, errno)
	}
	return nil
}

// count records one send that left late after its due time, of which
// goLate is not explained by the thread waiting on the host's run queue:
// the Go runtime's share (a P, a stop-the-world), as an estimate.
func (t *sendThread) count(late, goLate time.Duration, err error) {
	if err != nil {
		t.errs.Add(1)
		t.log.Warn("vrrp send advert", "err", err)
		return
	}
	t.sent.Add(1)
	if late > lateThreshold {
		t.late.Add(1)
	}
	if goLate > lateThreshold {
		t.goLate.Add(1)
	}
	storeMax(&t.maxLate, int64(late))
	storeMax(&t.maxGoLate, int64(min(goLate, late)))
}

// storeMax raises m to v.
func storeMax(m *atomic.Int64, v int64) {
	for {
		old := m.Load()
		if v <= old || m.CompareAndSwap(old, v) {
			return
		}
	}
}

// sleepUntil returns at due (CLOCK_MONOTONIC nanoseconds): a sleep that
// gives the P up until threadGuard before, then one that keeps it.
func sleepUntil(due int64) {
	if coarse := due - int64(threadGuard); monoNanos() < coarse {
		ts := unix.NsecToTimespec(coarse)
		for unix.ClockNanosleep(unix.CLOCK_MONOTONIC, unix.TIMER_ABSTIME, &ts, nil) == unix.EINTR {
		}
	}
	ts := unix.NsecToTimespec(due)
	for {
		_, _, errno := unix.RawSyscall6(unix.SYS_CLOCK_NANOSLEEP, unix.CLOCK_MONOTONIC, unix.TIMER_ABSTIME,
			uintptr(unsafe.Pointer(&ts)), 0, 0, 0)
		if errno != unix.EINTR {
			return
		}
	}
}

// monoNanos reads CLOCK_MONOTONIC without entering the Go scheduler.
func monoNanos() int64 {
	var ts unix.Timespec
	unix.RawSyscall(unix.SYS_CLOCK_GETTIME, unix.CLOCK_MONOTONIC, uintptr(unsafe.Pointer(&ts)), 0)
	return ts.Nano()
}
