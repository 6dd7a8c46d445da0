package vrrp

import (
	"log/slog"
	"time"
)

// The paths a Master's adverts can be timed on, as Stats.AdvertTiming
// names them; TimingProcess, TimingThread and TimingRuntime are also the
// values of Config.AdvertSender.
const (
	// TimingKernel: queued ahead with a departure time (SO_TXTIME, fq).
	TimingKernel = "kernel"
	// TimingThread: the timing thread (see threadGuard).
	TimingThread = "thread"
	// TimingRuntime: the Go runtime's timer and a spin on the node's
	// goroutine.
	TimingRuntime = "runtime"
	// TimingProcess: the advert sender process, on a lease (see
	// leaseIntervals).
	TimingProcess = "process"
)

var timingNames = [...]string{TimingRuntime, TimingKernel, TimingThread, TimingProcess}

// timingIndex is the index of name in timingNames.
func timingIndex(name string) uint32 {
	for i, n := range timingNames {
		if n == name {
			return uint32(i)
		}
	}
	return 0
}

// processStarter is implemented by Conns that can send through an advert
// sender process (Listen's on Linux).
type processStarter interface {
	// startAdvertSender starts the process, at SCHED_FIFO priority prio
	// when prio > 0 (a failure to get it is logged, not returned).
	startAdvertSender(prio int, log *slog.Logger) (timingThread, error)
}

// leaseSender is a TimedSender that repeats the last advert on its own
// (the advert sender process): the node hands it every advert of a
// Master, the immediate ones too, and tells it when mastership ends.
type leaseSender interface {
	TimedSender
	// SendNow sends a at once; a priority-0 advert also ends the
	// repetition and is the last advert sent.
	SendNow(a Advert) error
	// Cancel drops the adverts waiting and ends the repetition.
	Cancel()
}

// advertSender is the sender cfg asks for.
func (c Config) advertSender() string {
	switch {
	case c.RuntimeTimedAdverts:
		return TimingRuntime
	case c.AdvertSender != "":
		return c.AdvertSender
	}
	return DefaultAdvertSender
}

// advertTiming picks the send path: the kernel-timed one when cfg asks for
// it and the interface can (kernelTimed logs why not), else the sender
// cfg.AdvertSender names, each falling back to the next when it cannot
// start (logged): process, thread, then the runtime's timer, which is
// also what Conns without them (in-memory ones) use.
func advertTiming(cfg Config, conn Conn, log *slog.Logger) (TimedSender, timingThread, string) {
	if ts := kernelTimed(cfg, conn, log); ts != nil {
		return ts, nil, TimingKernel
	}
	sender := cfg.advertSender()
	if ps, ok := conn.(processStarter); ok && sender == TimingProcess {
		p, err := ps.startAdvertSender(cfg.RealtimePriority, log)
		if err == nil {
			return p, p, TimingProcess
		}
		log.Warn("vrrp advert sender process unavailable; timing adverts with the in-process timing thread", "err", err)
		sender = TimingThread
	}
	st, ok := conn.(threadStarter)
	if sender == TimingRuntime || !ok {
		return nil, nil, TimingRuntime
	}
	th, err := st.startTimingThread(cfg.RealtimePriority, log)
	if err != nil {
		log.Warn("vrrp advert timing thread unavailable; timing adverts with the Go runtime's timer", "err", err)
		return nil, nil, TimingRuntime
	}
	return th, th, TimingThread
}

// leased returns the lease sender adverts go through, or nil.
func (n *Node) leased() leaseSender {
	ls, _ := n.timed.(leaseSender)
	return ls
}

// sendLeased hands a to the lease sender: at its time when at is set,
// else at once.
func sendLeased(ls leaseSender, a Advert, at time.Time) error {
	if at.IsZero() {
		return ls.SendNow(a)
	}
	return ls.SendAt(a, at)
}
