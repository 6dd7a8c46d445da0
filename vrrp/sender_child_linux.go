package vrrp

import (
	"net/netip"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The advert sender process, the child side. It is the node's own binary
// re-executed from /proc/self/exe with senderArg as its first argument
// and senderEnv naming the parent's pid; the VRRP socket is descriptor
// senderSockFD and the control socket senderCtlFD.
const (
	senderArg    = "--vrrp-advert-sender"
	senderEnv    = "SEESAW_VRRP_ADVERT_SENDER"
	senderSockFD = 3
	senderCtlFD  = 4
)

// RunSenderIfChild runs the VRRP advert sender process and exits when
// this process was started as one (Config.AdvertSender TimingProcess),
// and returns at once otherwise. Call it first in main, and in TestMain of any test
// binary whose tests run nodes with the process sender: the sender is
// the running binary re-executed, and it is recognised by an argument
// and an environment variable together, never by either alone.
func RunSenderIfChild() {
	if len(os.Args) < 2 || os.Args[1] != senderArg {
		return
	}
	ppid, err := strconv.Atoi(os.Getenv(senderEnv))
	if err != nil {
		return
	}
	os.Exit(runSender(ppid))
}

// senderProc is the sender process's state, all allocated at start.
type senderProc struct {
	sock, ctl, tfd int
	zone           uint32
	msgs           *destMsgs
	slots          [leaseSlots][][]byte // per slot, per destination
	l              *lease
	c              senderCounters
	in             []byte // one control message
	out            []byte // one reply
	txt            []byte // the text of an error reply
	m              senderMsg
	pfd            [2]unix.PollFd
	its            unix.ItimerSpec
	tick           [8]byte // a timerfd read
	// rd is the thread's run-queue wait, read when it last went to sleep
	// (armed) and after each send: the difference is the part of a send's
	// lateness the host's scheduler owes.
	rd    *runDelay
	armed int64
	// allocs reads the heap objects allocated so far, for every report.
	allocs *senderAllocs
}

// senderAllocs reads how many heap objects the process has allocated
// since it started (runtime/metrics /gc/heap/allocs:objects) into a
// sample it holds, so that a read allocates nothing and does not stop
// the world as runtime.ReadMemStats does. The runtime adds a thread's
// small objects to the count when the span they come from is full (or
// at a garbage collection, which the process never runs): the count
// lags by at most a span's worth of objects per size class, so it shows
// a process that keeps allocating, not a single allocation.
type senderAllocs struct {
	s [1]metrics.Sample
}

// newSenderAllocs reads the count once: the first read of any metric
// sets up the runtime's table of them.
func newSenderAllocs() *senderAllocs {
	a := &senderAllocs{}
	a.s[0].Name = "/gc/heap/allocs:objects"
	a.read()
	return a
}

// read returns the heap objects allocated so far (0 if the runtime does
// not have the metric).
func (a *senderAllocs) read() uint64 {
	metrics.Read(a.s[:])
	if a.s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return a.s[0].Value.Uint64()
}

// runSender is the process: it returns the exit status.
func runSender(ppid int) int {
	runtime.LockOSThread()
	debug.SetGCPercent(-1)
	unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(unix.SIGKILL), 0, 0, 0)
	if os.Getppid() != ppid {
		return 1 // the node exited before the death signal was armed
	}
	unix.Prctl(unix.PR_SET_TIMERSLACK, 1, 0, 0, 0)
	comm := []byte("vrrp-sender\x00")
	unix.Prctl(unix.PR_SET_NAME, uintptr(unsafe.Pointer(&comm[0])), 0, 0, 0)
	runtime.KeepAlive(comm)
	p := &senderProc{sock: senderSockFD, ctl: senderCtlFD, l: newLease(), allocs: newSenderAllocs(),
		in: make([]byte, maxSenderMsg), out: make([]byte, 0, 2048), txt: make([]byte, 0, 256)}
	p.m.pkts = make([][]byte, 0, maxSenderDsts)
	p.m.dsts = make([]netip.Addr, 0, maxSenderDsts)
	if err := p.setup(); err != nil {
		p.reply(appendError(p.out[:0], "set up the vrrp advert sender: "+err.Error()))
		return 2
	}
	p.rd = openRunDelay()
	p.loop()
	return 0
}

// setup reads the setup message, allocates every buffer, then asks for
// SCHED_FIFO and locked memory and reports the outcome in ready.
func (p *senderProc) setup() error {
	n, err := unix.Read(p.ctl, p.in)
	if err != nil {
		return err
	}
	if err := decodeSenderMsg(&p.m, p.in[:n]); err != nil {
		return err
	}
	if p.m.typ != msgSetup {
		return errSenderType
	}
	p.zone = p.m.zone
	p.msgs = newDestMsgs(p.m.dsts, p.m.zone, append([]byte(nil), p.m.oob...))
	for s := range p.slots {
		p.slots[s] = make([][]byte, maxSenderDsts) // room for any peers message's destinations
		for d := range p.slots[s] {
			p.slots[s][d] = make([]byte, 0, maxAdvertLen)
		}
	}
	if p.tfd, err = unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_CLOEXEC|unix.TFD_NONBLOCK); err != nil {
		return err
	}
	p.pfd = [2]unix.PollFd{{Fd: int32(p.ctl), Events: unix.POLLIN}, {Fd: int32(p.tfd), Events: unix.POLLIN}}
	var rtErr, mlockErr string
	if p.m.prio > 0 {
		if err := setRealtime(p.m.prio); err != nil {
			rtErr = err.Error()
		}
	}
	if err := unix.Mlockall(unix.MCL_CURRENT | unix.MCL_ONFAULT); err != nil {
		mlockErr = "mlockall: " + err.Error()
	}
	p.reply(appendReady(p.out[:0], uint32(os.Getpid()), uint32(unix.Gettid()), rtErr, mlockErr))
	return nil
}

// loop waits in ppoll for a control message or the timerfd armed for the
// next step, until the node says stop or goes away.
func (p *senderProc) loop() {
	for {
		next := p.l.next()
		if next.Step != stepIdle && next.At <= monoNanos() {
			p.step(next)
			continue
		}
		p.arm(next)
		p.armed = p.rd.read()
		if _, err := unix.Ppoll(p.pfd[:], nil, nil); err != nil && err != unix.EINTR {
			return
		}
		if p.pfd[1].Revents != 0 {
			unix.Read(p.tfd, p.tick[:])
		}
		if p.pfd[0].Revents != 0 && !p.readControl() {
			return
		}
	}
}

// arm sets the timerfd to the next step's time (disarmed when idle).
func (p *senderProc) arm(next leaseNext) {
	p.its = unix.ItimerSpec{}
	if next.Step != stepIdle {
		p.its.Value = unix.NsecToTimespec(next.At)
	}
	unix.TimerfdSettime(p.tfd, unix.TFD_TIMER_ABSTIME, &p.its, nil)
}

// step carries out a due step and reports the counters.
func (p *senderProc) step(s leaseNext) {
	if s.Step == stepSend || s.Step == stepRepeat {
		j, errno := p.msgs.send(p.sock, p.slots[s.Item.slot])
		late := monoNanos() - max(s.At, s.Item.arrived) // the node's own lateness is not the process's
		if errno != 0 {
			p.c.sendErrors++
			p.replySendError(j, errno)
		} else {
			p.c.sent++
			if late > int64(lateThreshold) {
				p.c.late++
			}
			p.c.maxLate = max(p.c.maxLate, late)
			own := max(min(late-(p.rd.read()-p.armed), late), 0)
			if own > int64(lateThreshold) {
				p.c.ownLate++
			}
			p.c.maxOwnLate = max(p.c.maxOwnLate, own)
		}
	}
	p.l.done(s)
	p.report()
}

// readControl handles every waiting control message; false: stop.
func (p *senderProc) readControl() bool {
	for {
		r, _, errno := unix.Syscall6(unix.SYS_RECVFROM, uintptr(p.ctl), uintptr(unsafe.Pointer(&p.in[0])), uintptr(len(p.in)),
			unix.MSG_DONTWAIT, 0, 0)
		switch {
		case errno == unix.EAGAIN || errno == unix.EINTR:
			return true
		case errno != 0 || r == 0:
			return false // the node closed its end or exited
		}
		if !p.handle(p.in[:r]) {
			return false
		}
	}
}

// handle acts on one control message; false: stop.
func (p *senderProc) handle(b []byte) bool {
	err := decodeSenderMsg(&p.m, b)
	if err == nil && p.m.typ == msgAdvert && len(p.m.pkts) != len(p.msgs.dsts) {
		err = errSenderBounds
	}
	if err == nil && p.m.typ != msgAdvert && p.m.typ != msgCancel && p.m.typ != msgStop && p.m.typ != msgPeers {
		err = errSenderType
	}
	if err == nil && p.m.typ == msgPeers {
		// What waits was encoded for the old destinations; the node hands
		// the advert still to come again, for the new ones.
		p.l.cancel()
		if !p.msgs.set(p.m.dsts, p.zone) {
			err = errSenderBounds
		}
	}
	if err != nil {
		p.c.dropped++
		p.reply(appendError(p.out[:0], err.Error()))
		p.report()
		return true
	}
	switch p.m.typ {
	case msgStop:
		p.flush()
		p.report()
		return false
	case msgCancel, msgPeers:
		p.l.cancel()
		return true
	}
	if p.m.flags&advertFinal != 0 {
		p.l.cancel() // what waits is dropped anyway: free its slots first
	}
	slot := p.l.free()
	if slot >= 0 {
		for d, pkt := range p.m.pkts {
			p.slots[slot][d] = append(p.slots[slot][d][:0], pkt...)
		}
	}
	due := p.m.due
	if p.m.flags&advertNow != 0 {
		due = 0
	}
	if v := p.l.hand(slot, due, p.m.interval, monoNanos(), p.m.flags&advertFinal != 0); v != handQueued {
		p.c.dropped++
		if v == handCovered {
			p.c.covered++
		}
		p.report()
	}
	return true
}

// flush sends the adverts handed to leave at once (the priority-0 advert
// of a shutdown) or already due, before the process stops: the node
// handed them before it said stop.
func (p *senderProc) flush() {
	for {
		n := p.l.next()
		if n.Step != stepSend || (!n.Item.now && n.At > monoNanos()) {
			return
		}
		p.step(n)
	}
}

// report sends the counters to the node; a full socket skips a report,
// the next one carries the totals.
func (p *senderProc) report() {
	p.c.repeated, p.c.expired = p.l.repeated, p.l.expired
	p.c.allocs = p.allocs.read()
	p.reply(appendStats(p.out[:0], &p.c))
}

// replySendError reports a failed send to destination j without
// allocating.
func (p *senderProc) replySendError(j int, errno unix.Errno) {
	t := append(p.txt[:0], "send advert to "...)
	t = p.msgs.dsts[j].addr.AppendTo(t)
	t = append(append(t, " from the vrrp advert sender process: "...), errno.Error()...)
	p.txt = t
	p.reply(appendErrorText(p.out[:0], t))
}

func (p *senderProc) reply(b []byte) {
	unix.Sendto(p.ctl, b, unix.MSG_DONTWAIT|unix.MSG_NOSIGNAL, nil)
}
