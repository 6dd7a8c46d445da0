package vrrp

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// senderStartTimeout bounds the wait for a new sender process's ready
// message.
const senderStartTimeout = 5 * time.Second

// senderHangIntervals is how many advert intervals the process may stay
// silent (no counters, which it reports after every send) while the node
// hands it adverts before it is taken for hung: killed, and the timing
// thread takes over.
const senderHangIntervals = leaseIntervals + 2

// senderStopTimeout bounds the wait for the sender process to exit after
// stop; then it is killed.
const senderStopTimeout = time.Second

// procSender is the node's side of the advert sender process: a
// TimedSender that encodes each advert and hands it over the control
// socket, and falls back to the in-process timing thread when the
// process dies.
type procSender struct {
	spec senderSpec
	log  *slog.Logger

	ctl    int // the node's end of the control socket
	cmd    *exec.Cmd
	pid    int
	tid    int            // the process's sending thread, once ready
	ready  chan senderMsg // the ready message, once
	exited chan struct{}  // closed when the process has exited and is reaped

	mu       sync.Mutex // orders SendAt, SendNow, Cancel, the fallback and close
	closed   bool
	fallback *sendThread
	buf      []byte
	pkts     [][]byte
	last     Advert // the last periodic advert handed, for the fallback
	lastAt   time.Time

	// handingSince is when the node started handing adverts after the
	// last Cancel or final advert (0: it is not handing); lastReport when the process last
	// sent a message (Unix ns). Together they tell a hung process.
	handingSince int64
	lastReport   atomic.Int64

	counters atomic.Pointer[senderCounters]
	deaths   atomic.Uint64
}

// senderSpec is what an advert sender process sends on, and with.
type senderSpec struct {
	sockFD  int // a duplicate of the VRRP socket; startSender closes it
	name    string
	ifindex int
	primary netip.Addr
	dsts    []netip.Addr
	oob     []byte // the control message sent with every advert
	prio    int
	// thread starts the timing thread the adverts fall back to.
	thread func() (*sendThread, error)
}

// startSender starts an advert sender process and returns once it is
// ready.
func startSender(sp senderSpec, log *slog.Logger) (*procSender, error) {
	sock := os.NewFile(uintptr(sp.sockFD), "vrrp-socket")
	if len(sp.dsts) > maxSenderDsts {
		sock.Close()
		return nil, fmt.Errorf("start vrrp advert sender on %s: %d destinations, at most %d", sp.name, len(sp.dsts), maxSenderDsts)
	}
	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		sock.Close()
		return nil, fmt.Errorf("start vrrp advert sender on %s: control socketpair: %w", sp.name, err)
	}
	child := os.NewFile(uintptr(pair[1]), "vrrp-sender-control")
	p := &procSender{
		spec: sp, log: log, ctl: pair[0], ready: make(chan senderMsg, 1), exited: make(chan struct{}),
		buf: make([]byte, 0, 4096), pkts: make([][]byte, len(sp.dsts)),
	}
	p.counters.Store(&senderCounters{})
	p.cmd = &exec.Cmd{
		Path: "/proc/self/exe",
		Args: []string{os.Args[0], senderArg, sp.name},
		Env:  append(os.Environ(), senderEnv+"="+strconv.Itoa(os.Getpid())),
		// The process's stderr is the node's: a crash report lands in its log.
		Stderr:      os.Stderr,
		ExtraFiles:  []*os.File{sock, child}, // senderSockFD, senderCtlFD
		SysProcAttr: &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL},
	}
	started := make(chan error, 1)
	go p.keep(started)
	err = <-started
	// The process has its copies: with the node's closed, its exit is an
	// end of file on the control socket.
	sock.Close()
	child.Close()
	if err != nil {
		unix.Close(p.ctl)
		return nil, fmt.Errorf("start vrrp advert sender on %s: %w", sp.name, err)
	}
	go p.read()
	if err := p.handshake(); err != nil {
		p.mu.Lock()
		p.closed = true // no fallback: the node picks the thread itself
		p.mu.Unlock()
		p.kill()
		<-p.exited
		unix.Shutdown(p.ctl, unix.SHUT_RDWR)
		unix.Close(p.ctl)
		return nil, fmt.Errorf("start vrrp advert sender on %s (pid %d): %w", sp.name, p.pid, err)
	}
	return p, nil
}

// keep starts the process from a locked OS thread and reaps it. The
// death signal (Pdeathsig) follows the thread that forked, not the
// process: the thread stays locked, so that it cannot exit with another
// goroutine and kill a healthy sender.
func (p *procSender) keep(started chan<- error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := p.cmd.Start(); err != nil {
		close(p.exited)
		started <- err
		return
	}
	p.pid = p.cmd.Process.Pid
	started <- nil
	p.cmd.Wait() // its status is in ProcessState
	close(p.exited)
	p.died()
}

// handshake sends the setup and waits for the ready message, then logs
// what the process got.
func (p *procSender) handshake() error {
	msg := appendSetup(nil, p.spec.prio, p.spec.dsts, uint32(p.spec.ifindex), p.spec.oob)
	if _, err := unix.Write(p.ctl, msg); err != nil {
		return fmt.Errorf("send setup: %w", err)
	}
	var r senderMsg
	select {
	case r = <-p.ready:
	case <-p.exited:
		return fmt.Errorf("exited during setup: %v", p.cmd.ProcessState)
	case <-time.After(senderStartTimeout):
		return fmt.Errorf("no ready message within %v", senderStartTimeout)
	}
	if r.rtErr != "" {
		p.log.Warn("vrrp realtime priority unavailable; the advert sender process runs at normal priority",
			"priority", p.spec.prio, "pid", r.pid, "err", r.rtErr,
			"needs", "CAP_SYS_NICE or RLIMIT_RTPRIO >= priority (systemd: AmbientCapabilities=CAP_SYS_NICE or LimitRTPRIO=), and real-time runtime in the cgroup")
	}
	p.tid = int(r.tid)
	policy := "normal"
	if p.spec.prio > 0 && r.rtErr == "" {
		policy = "SCHED_FIFO"
	}
	p.log.Info("vrrp advert sender process started", "pid", r.pid, "policy", policy, "priority", p.spec.prio,
		"memory_locked", r.mlockErr == "", "mlock_err", r.mlockErr)
	return nil
}

// read takes the process's messages until its end closes.
func (p *procSender) read() {
	buf := make([]byte, 4096)
	var m senderMsg
	for {
		n, _, err := unix.Recvfrom(p.ctl, buf, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil || n == 0 {
			return
		}
		p.lastReport.Store(time.Now().UnixNano())
		if err := decodeSenderMsg(&m, buf[:n]); err != nil {
			p.log.Warn("vrrp advert sender process sent a bad message", "err", err)
			continue
		}
		switch m.typ {
		case msgReady:
			select {
			case p.ready <- m:
			default:
			}
		case msgStats:
			c := m.counters
			p.counters.Store(&c)
		case msgError:
			p.log.Warn("vrrp advert sender process", "pid", p.pid, "err", m.text)
		}
	}
}

// died handles the process's exit: unless the node closed it, the
// adverts go through the timing thread from now on.
func (p *procSender) died() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed {
		p.fallBack(fmt.Errorf("the process exited: %s", p.cmd.ProcessState))
	}
}

// fallBack, with mu held, logs the loss of the process once, with the
// heap objects it last reported allocated, counts it and starts the
// in-process timing thread, handing it the last advert if that is still
// to come: at most one advert is missed.
func (p *procSender) fallBack(why error) {
	if p.fallback != nil {
		return
	}
	p.deaths.Add(1)
	p.kill()
	p.log.Error("vrrp advert sender process lost; sending adverts from the in-process timing thread",
		"pid", p.pid, "err", why, "heap_allocs", p.counters.Load().allocs)
	th, err := p.spec.thread()
	if err != nil {
		p.log.Error("vrrp advert timing thread unavailable after the sender process was lost", "err", err)
		return
	}
	p.fallback = th
	if p.lastAt.After(time.Now()) {
		if err := p.fallback.SendAt(p.last, p.lastAt); err != nil {
			p.log.Warn("vrrp resend advert after the sender process was lost", "err", err)
		}
	}
}

// setPeers sends every advert from now on to dsts: the process gets the
// new destinations in a peers message, which drops what waits in it,
// and the last advert handed, if it is still to come, is handed again
// for dsts at its time (a failure to is logged: the next advert goes to
// dsts). Once the process was lost, the timing thread's own setPeers
// does this. More than maxSenderDsts destinations are refused, and
// nothing changes.
func (p *procSender) setPeers(dsts []netip.Addr) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(dsts) > maxSenderDsts {
		return fmt.Errorf("set the vrrp advert sender's destinations: %d, at most %d", len(dsts), maxSenderDsts)
	}
	p.spec.dsts = slices.Clone(dsts)
	p.pkts = make([][]byte, len(dsts))
	if p.closed || p.fallback != nil {
		return nil
	}
	if err := p.write(appendPeers(p.buf[:0], dsts)); err != nil {
		return nil // lost: the timing thread took over, with dsts and the last advert
	}
	if p.lastAt.After(time.Now()) {
		if err := p.hand(p.last, 0, monotonicAt(p.lastAt)); err != nil && p.fallback == nil {
			// The destinations changed all the same; the next advert goes there.
			p.log.Warn("vrrp advert sender: hand the waiting advert again for the new destinations", "pid", p.pid, "err", err)
		}
	}
	return nil
}

// KernelTimed reports nil: SendAt releases adverts on time.
func (p *procSender) KernelTimed() error { return nil }

// SendAt hands a to the process to leave at at, a time on the time.Now
// line, and to repeat on its lease.
func (p *procSender) SendAt(a Advert, at time.Time) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fallback != nil {
		return p.fallback.SendAt(a, at)
	}
	if err := p.hand(a, 0, monotonicAt(at)); err != nil {
		if p.fallback == nil {
			return err
		}
		return p.fallback.SendAt(a, at)
	}
	p.last, p.lastAt = a, at
	return nil
}

// SendNow hands a to the process to leave at once, after every advert
// handed before it; a priority-0 advert also ends the repetition.
func (p *procSender) SendNow(a Advert) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fallback != nil {
		return p.fallback.SendAt(a, time.Now())
	}
	flags := byte(advertNow)
	if a.Priority == 0 {
		flags |= advertFinal
		p.lastAt = time.Time{}
	}
	if err := p.hand(a, flags, 0); err != nil {
		if p.fallback == nil {
			return err
		}
		return p.fallback.SendAt(a, time.Now())
	}
	if a.Priority == 0 {
		// The last advert of a mastership (it follows Cancel): the node
		// hands nothing more until it is Master again, so the silence that
		// tells a hung process starts over with the next hand.
		p.handingSince = 0
	}
	return nil
}

// Cancel tells the process to drop what waits and stop repeating: the
// node left mastership.
func (p *procSender) Cancel() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lastAt, p.handingSince = time.Time{}, 0
	if p.fallback == nil && !p.closed {
		p.write(appendHeader(p.buf[:0], msgCancel))
	}
}

// hand encodes a for every destination and writes it to the process.
func (p *procSender) hand(a Advert, flags byte, due int64) error {
	if p.closed {
		return fmt.Errorf("hand advert to the vrrp advert sender: %w", net.ErrClosed)
	}
	iv := int64(time.Duration(a.Interval) * 10 * time.Millisecond)
	now := time.Now().UnixNano()
	if p.handingSince == 0 {
		p.handingSince = now
	}
	if silent := now - max(p.handingSince, p.lastReport.Load()); iv > 0 && silent > senderHangIntervals*iv && !p.unread() {
		err := fmt.Errorf("hand advert to the vrrp advert sender process %d: it reported nothing for %v", p.pid, time.Duration(silent))
		p.fallBack(err)
		return err
	}
	enc := p.buf[:0]
	for j, dst := range p.spec.dsts {
		start := len(enc)
		var err error
		if enc, err = a.AppendMarshal(enc, p.spec.primary, dst); err != nil {
			return err
		}
		p.pkts[j] = enc[start:]
	}
	msg := appendAdvert(enc, flags, due, iv, p.pkts)
	p.buf = msg[:0]
	return p.write(msg[len(enc):])
}

// write sends one message without blocking. A process that cannot
// take it (exited, or stopped reading: hung or stopped) is killed and
// replaced by the timing thread (fallBack); the caller then hands the
// advert to the thread.
func (p *procSender) write(msg []byte) error {
	err := unix.Sendto(p.ctl, msg, unix.MSG_DONTWAIT|unix.MSG_NOSIGNAL, nil)
	if err == nil {
		return nil
	}
	err = fmt.Errorf("hand advert to the vrrp advert sender process %d: %w", p.pid, err)
	p.fallBack(err)
	return err
}

// unread reports whether the process's messages wait in the control
// socket: the node's reader is behind (the node itself was stopped), the
// process is not silent.
func (p *procSender) unread() bool {
	n, err := unix.IoctlGetInt(p.ctl, unix.SIOCINQ)
	return err == nil && n > 0
}

func (p *procSender) kill() {
	if p.cmd.Process != nil {
		p.cmd.Process.Kill()
	}
}

// close stops the process after the messages handed before (a
// priority-0 advert leaves first) and waits for it to exit, killing it
// after senderStopTimeout.
func (p *procSender) close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	if p.fallback == nil {
		unix.Sendto(p.ctl, appendHeader(nil, msgStop), unix.MSG_DONTWAIT|unix.MSG_NOSIGNAL, nil)
	}
	p.mu.Unlock()
	select {
	case <-p.exited:
	case <-time.After(senderStopTimeout):
		p.log.Warn("vrrp advert sender process did not stop; killing it", "pid", p.pid)
		p.kill()
		<-p.exited
	}
	unix.Shutdown(p.ctl, unix.SHUT_RDWR)
	unix.Close(p.ctl)
}

// threadStats are the process's counters, plus the fallback thread's.
func (p *procSender) threadStats() threadStats {
	c := p.counters.Load()
	st := threadStats{sent: c.sent, errors: c.sendErrors, late: c.late, maxLate: time.Duration(c.maxLate),
		goLate: c.ownLate, maxGoLate: time.Duration(c.maxOwnLate),
		repeated: c.repeated, dropped: c.dropped, expired: c.expired, exits: p.deaths.Load()}
	p.mu.Lock()
	fb := p.fallback
	p.mu.Unlock()
	if fb != nil {
		ft := fb.threadStats()
		st.sent += ft.sent
		st.errors += ft.errors
		st.late += ft.late
		st.maxLate = max(st.maxLate, ft.maxLate)
		st.goLate += ft.goLate
		st.maxGoLate = max(st.maxGoLate, ft.maxGoLate)
	}
	return st
}
