package vrrp

import "log/slog"

// The paths a Master's adverts can be timed on, as Stats.AdvertTiming
// names them.
const (
	// TimingKernel: queued ahead with a departure time (SO_TXTIME, fq).
	TimingKernel = "kernel"
	// TimingThread: the timing thread (see threadGuard).
	TimingThread = "thread"
	// TimingRuntime: the Go runtime's timer and a spin on the node's
	// goroutine.
	TimingRuntime = "runtime"
)

var timingNames = [...]string{TimingRuntime, TimingKernel, TimingThread}

// timingIndex is the index of name in timingNames.
func timingIndex(name string) uint32 {
	for i, n := range timingNames {
		if n == name {
			return uint32(i)
		}
	}
	return 0
}

// advertTiming picks the send path: the kernel-timed one when cfg asks for
// it and the interface can (kernelTimed logs why not), else the timing
// thread unless cfg.RuntimeTimedAdverts or conn has none (in-memory Conns),
// else the runtime's timer.
func advertTiming(cfg Config, conn Conn, log *slog.Logger) (TimedSender, timingThread, string) {
	if ts := kernelTimed(cfg, conn, log); ts != nil {
		return ts, nil, TimingKernel
	}
	st, ok := conn.(threadStarter)
	if cfg.RuntimeTimedAdverts || !ok {
		return nil, nil, TimingRuntime
	}
	th, err := st.startTimingThread(cfg.RealtimePriority, log)
	if err != nil {
		log.Warn("vrrp advert timing thread unavailable; timing adverts with the Go runtime's timer", "err", err)
		return nil, nil, TimingRuntime
	}
	return th, th, TimingThread
}
