package vrrp

import (
	"errors"
	"log/slog"
	"time"
)

// The timing thread sends a Master's adverts from one OS thread that no
// other goroutine runs on. The node hands it each advert, encoded, txtimeLead
// before it is due (TimedSender.SendAt); the thread sleeps in
// clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME) and sends with a raw
// sendmsg from the prepared buffer. Neither the netpoller, the timer heap
// nor an allocation is on the path from the wake-up to the send.
//
// The thread still needs a P of the Go scheduler to run the few
// instructions between its wake-up and its send. It sleeps until
// threadGuard before the deadline in a syscall that gives its P up (so a
// garbage collection never waits for it), then takes a P and sleeps the
// rest in a raw syscall that keeps it, so that a stop-the-world or a busy
// scheduler delays the send only when it holds the thread off for more
// than threadGuard. A stop-the-world that starts inside those last
// threadGuard waits for the send, at most threadGuard.
const threadGuard = 2 * time.Millisecond

// lateThreshold is how late a thread-sent advert must leave to count in
// Stats.LateAdverts.
const lateThreshold = time.Millisecond

// threadSlots is how many adverts can wait in the timing thread at once:
// each waits at most txtimeLead, and adverts are at least 10 ms apart.
const threadSlots = 8

// ErrThreadBusy is returned by the timing thread's SendAt when threadSlots
// adverts are already waiting in it.
var ErrThreadBusy = errors.New("vrrp timing thread: every slot is waiting")

// threadStarter is implemented by Conns that can send through a timing
// thread (Listen's on Linux).
type threadStarter interface {
	// startTimingThread starts the thread, at SCHED_FIFO priority prio
	// when prio > 0 (a failure to get it is logged, not returned).
	startTimingThread(prio int, log *slog.Logger) (timingThread, error)
}

// timingThread is the running thread: a TimedSender with its counters.
type timingThread interface {
	TimedSender
	threadStats() threadStats
}

// threadStats are the timing thread's own counters: adverts sent, failed,
// sent more than 1 ms late and the latest; and the same for the part of
// the lateness not spent waiting on the host's run queue (the Go
// runtime's share, estimated from /proc/thread-self/schedstat). The
// advert sender process adds its own (see senderCounters): adverts it
// repeated on its lease, dropped, leases that ran out, and how often the
// process was lost.
type threadStats struct {
	sent, errors, late, goLate uint64
	maxLate, maxGoLate         time.Duration

	repeated, dropped, expired, exits uint64
}
