package checks

import (
	"container/heap"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// halfOpen runs half-open tcp checks (Spec.HalfOpen): it sends a SYN from
// a raw socket and waits for the target's SYN-ACK (open) or RST (refused).
// The SYN-ACK reaches no socket on this host, so the kernel answers it
// with a RST and the target drops the half-open connection: three packets
// and no socket per check, where a connect check costs a socket, a port
// allocation, five packets and five system calls. Many probes go out in
// one sendmmsg and their replies come back in one recvmmsg. See
// docs/checks.md, "Half-open tcp checks".
type halfOpen struct {
	report func([]done)     // finished probes; called without the lock held
	now    func() time.Time // the engine's clock
	fams   [2]*probeSocket
	wg     sync.WaitGroup
	// unmatched counts segments that passed the socket filter but answer
	// no pending probe (late replies, other traffic to the probe ports).
	unmatched atomic.Uint64

	mu      sync.Mutex
	pending map[probeKey]*probe
	byDue   dueHeap[*probe]
	timer   *time.Timer
	timerAt int64 // when timer fires (unix ns); max int64 when stopped
	closed  bool
	free    []*probe
	rng     *rand.Rand
	srcs    map[[4]byte][4]byte // IPv4 route source per destination
}

// probeKey identifies a probe by what its replies carry.
type probeKey struct {
	addr  [16]byte // target address (IPv4 in the first 4 bytes)
	dport uint16   // target port
	sport uint16   // the probe's port
}

// probe is one half-open check in flight.
type probe struct {
	key      probeKey
	fam      *probeSocket
	seq      uint32
	deadline int64 // unix ns
	resendAt int64 // when the SYN is sent again (unix ns); 0: not (again)
	sent     int   // how many times the SYN went out
	index    int   // in byDue
	job      job
	start    time.Time
	pkt      [synLen]byte
	src      [4]byte // IPv4: the source the checksum covers, sent as IP_PKTINFO
}

// keyAddr is an address as probeKey holds it: IPv4 in the first 4 bytes.
func keyAddr(a netip.Addr) [16]byte {
	if a = a.Unmap(); a.Is4() {
		var k [16]byte
		a4 := a.As4()
		copy(k[:], a4[:])
		return k
	}
	return a.As16()
}

// fam4 and fam6 index halfOpen.fams.
const (
	fam4 = 0
	fam6 = 1
)

// probePorts is how many local ports each family's probes rotate over. The
// ports are reserved by bound, never listening, TCP sockets: no connection
// of this host takes them, and a SYN-ACK to them finds no socket.
const probePorts = 16

// newHalfOpen opens the probe sockets (IPv4 and IPv6; a family that cannot
// be opened is left out, and its probes fall back to connect checks) and
// starts their receive goroutines. It fails if neither opens, typically
// without CAP_NET_RAW.
func newHalfOpen(report func([]done), now func() time.Time) (*halfOpen, error) {
	p := &halfOpen{report: report, now: now, pending: make(map[probeKey]*probe), timerAt: 1<<63 - 1,
		rng: rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())), srcs: make(map[[4]byte][4]byte)}
	var errs []error
	for fam := range p.fams {
		s, err := openProbeSocket(fam == fam6)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		p.fams[fam] = s
		p.wg.Add(1)
		go p.receive(s)
	}
	if p.fams[fam4] == nil && p.fams[fam6] == nil {
		return nil, errors.Join(errs...)
	}
	p.timer = time.AfterFunc(time.Hour, p.expire)
	p.timer.Stop()
	return p, nil
}

// familyOf returns the probe socket for t, nil if t must be checked with a
// connect instead: a steered check (mark or bound source) or a family
// without a probe socket.
func (p *halfOpen) familyOf(t Target) *probeSocket {
	if t.Mark != 0 || t.Source.IsValid() {
		return nil
	}
	if t.Address.Unmap().Is4() {
		return p.fams[fam4]
	}
	return p.fams[fam6]
}

// start sends a SYN for every half-open check of batch it can take and
// returns the others (in batch's array) for the caller to connect. Send
// failures are reported as results.
func (p *halfOpen) start(batch []job) []job {
	rest := batch[:0]
	var probes [2][]*probe
	var failed []done
	for _, j := range batch {
		t := j.ent.key.Target
		s := p.familyOf(t)
		if !j.ent.spec.halfOpen || s == nil {
			rest = append(rest, j)
			continue
		}
		pr, err := p.prepare(s, j)
		switch {
		case err == errNoProbePort:
			rest = append(rest, j) // connect instead
			continue
		case err != nil:
			failed = append(failed, done{job: j, start: p.now(), end: p.now(), err: err})
			continue
		}
		probes[s.fam] = append(probes[s.fam], pr)
	}
	for fam, ps := range probes {
		if len(ps) > 0 {
			failed = p.send(p.fams[fam], ps, failed)
		}
	}
	p.report(failed)
	return rest
}

// prepare registers a probe for j, so that a reply arriving while the SYN
// is still being sent finds it, and builds its SYN.
func (p *halfOpen) prepare(s *probeSocket, j job) (*probe, error) {
	t := j.ent.key.Target
	dst := t.Address.Unmap()
	var src [4]byte
	if dst.Is4() {
		var err error
		if src, err = p.source4(dst.As4()); err != nil {
			return nil, fmt.Errorf("half-open check of %s: %w", t, err)
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, errLoopClosed
	}
	pr := reuse(&p.free)
	pr.fam, pr.job, pr.start = s, j, p.now()
	pr.key = probeKey{addr: keyAddr(dst), dport: t.Port}
	if !p.pickPortLocked(s, pr) {
		p.free = append(p.free, pr)
		return nil, errNoProbePort
	}
	pr.seq = p.rng.Uint32()
	pr.deadline = pr.start.Add(j.ent.spec.spec.Timeout).UnixNano()
	pr.sent = 1
	pr.resendAt = nextResend(pr.start.UnixNano(), pr.deadline, pr.sent)
	p.pending[pr.key] = pr
	heap.Push(&p.byDue, pr)
	if due := pr.dueAt(); due < p.timerAt {
		p.timerAt = due
		p.timer.Reset(time.Duration(due - p.now().UnixNano()))
	}
	pr.src = src
	buildSYN(pr.pkt[:], netip.AddrFrom4(src), dst, pr.key.sport, t.Port, pr.seq)
	return pr, nil
}

// errNoProbePort: every probe port already has a probe in flight to the
// same target (as many checks of one address and port with different
// specs); the check connects instead.
var errNoProbePort = errors.New("every probe port is in use towards this target")

// pickPortLocked gives pr the next probe port of s that no pending probe
// to the same target uses; false if all are in use.
func (p *halfOpen) pickPortLocked(s *probeSocket, pr *probe) bool {
	for range s.ports {
		s.next = (s.next + 1) % len(s.ports)
		pr.key.sport = s.ports[s.next]
		if _, busy := p.pending[pr.key]; !busy {
			return true
		}
	}
	return false
}

// source4 returns the source address the kernel routes dst from, which the
// SYN's checksum covers; the SYN is sent with that source set explicitly
// (IP_PKTINFO), so a route change can make it stale but never wrong on the
// wire. A probe that times out forgets its target's entry.
func (p *halfOpen) source4(dst [4]byte) ([4]byte, error) {
	p.mu.Lock()
	src, ok := p.srcs[dst]
	p.mu.Unlock()
	if ok {
		return src, nil
	}
	src, err := routeSource4(dst)
	if err != nil {
		return src, err
	}
	p.mu.Lock()
	p.srcs[dst] = src
	p.mu.Unlock()
	return src, nil
}

// routeSource4 asks the kernel which source address it would use towards
// dst (a UDP socket's connect does the route lookup and sends nothing).
func routeSource4(dst [4]byte) ([4]byte, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return [4]byte{}, fmt.Errorf("route lookup: %w", os.NewSyscallError("socket", err))
	}
	defer unix.Close(fd)
	if err := unix.Connect(fd, &unix.SockaddrInet4{Port: 9, Addr: dst}); err != nil {
		return [4]byte{}, fmt.Errorf("route lookup: %w", os.NewSyscallError("connect", err))
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return [4]byte{}, fmt.Errorf("route lookup: %w", os.NewSyscallError("getsockname", err))
	}
	return sa.(*unix.SockaddrInet4).Addr, nil
}

// send writes the SYNs of ps, in as few system calls as the kernel takes
// them, then reads the replies already queued (on loopback and for local
// addresses the kernel answers inside the send), so that they cost no
// wake-up of the receive goroutine. A SYN the kernel refuses ends its probe
// with the error. The SYNs are copied under the lock first: a reply or the
// timer may end a probe, and recycle it, while its SYN is being sent again.
func (p *halfOpen) send(s *probeSocket, ps []*probe, failed []done) []done {
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	if cap(s.out) < len(ps) {
		s.out = make([]outSYN, len(ps))
	}
	out := s.out[:0]
	p.mu.Lock()
	for _, pr := range ps {
		if p.pending[pr.key] != pr {
			continue // ended (by the timer) before its SYN went out
		}
		out = append(out, outSYN{pr: pr, key: pr.key, seq: pr.seq, pkt: pr.pkt, src: pr.src})
	}
	p.mu.Unlock()
	s.out = out[:0]
	if len(s.tx.hdrs) < len(out) {
		s.tx = newMmsgVec(len(out), 0)
	}
	for i := range out {
		o := &out[i]
		var src *[4]byte
		if s.fam == fam4 {
			src = &o.src
		}
		s.tx.setSend(i, o.pkt[:], &o.key.addr, s.fam == fam6, src)
	}
	hdrs := s.tx.hdrs[:len(out)]
	for len(hdrs) > 0 {
		var n int
		var errno unix.Errno
		err := s.rc.Write(func(fd uintptr) bool {
			n, errno = sendmmsg(fd, hdrs)
			return errno != unix.EAGAIN
		})
		switch {
		case err != nil: // the socket closed: the probes end with close
			return failed
		case errno == 0 && n > 0:
			hdrs, out = hdrs[n:], out[n:]
			continue
		case errno == 0:
			err = errors.New("sendmmsg sent nothing")
		default:
			err = os.NewSyscallError("sendmmsg", errno)
		}
		// The first remaining SYN failed: end its probe, go on with the rest.
		if d, ok := p.failSend(&out[0], err); ok {
			failed = append(failed, d)
		}
		hdrs, out = hdrs[1:], out[1:]
	}
	p.drain(s)
	return failed
}

// outSYN is a copy of a probe's SYN and destination, being sent.
type outSYN struct {
	pr  *probe
	key probeKey
	seq uint32
	pkt [synLen]byte
	src [4]byte
}

// failSend ends the probe of a SYN the kernel refused, unless a reply or
// the timer ended it first; an IPv4 probe's cached route source is
// dropped (the usual cause is a source address that went away).
func (p *halfOpen) failSend(o *outSYN, err error) (done, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pr := p.pending[o.key]
	if pr != o.pr || pr.seq != o.seq {
		return done{}, false
	}
	return p.endLocked(pr, p.now(), fmt.Errorf("half-open check of %s: send SYN: %w", pr.job.ent.key.Target, err), true), true
}

// endLocked takes pr out of the pending probes, recycles it and returns
// its result, err at now. forget drops the cached route source of an IPv4
// target, so that its next probe looks it up again (after a failure that
// a source gone stale may explain).
func (p *halfOpen) endLocked(pr *probe, now time.Time, err error, forget bool) done {
	delete(p.pending, pr.key)
	heap.Remove(&p.byDue, pr.index)
	if forget && pr.fam.fam == fam4 {
		delete(p.srcs, [4]byte(pr.key.addr[:4]))
	}
	d := done{job: pr.job, start: pr.start, end: now, err: err}
	*pr = probe{}
	p.free = append(p.free, pr)
	return d
}

// rxBuf is a receive vector and the results read into it.
type rxBuf struct {
	vec     *mmsgVec
	results []done
}

// rxBatch is how many replies one recvmmsg reads at most.
const rxBatch = 64

func newRxBuf() rxBuf { return rxBuf{vec: newMmsgVec(rxBatch, 128)} } // headers only; longer segments are truncated

// drain reads the replies queued on s without waiting (under s.sendMu).
func (p *halfOpen) drain(s *probeSocket) {
	s.rc.Control(func(fd uintptr) {
		for {
			s.rx.vec.armRecv()
			n, errno := recvmmsg(fd, s.rx.vec.hdrs)
			if errno != 0 || n <= 0 {
				return
			}
			p.handle(s, &s.rx, n)
			if n < rxBatch {
				return
			}
		}
	})
}

// receive reads replies on s until it is closed and ends the probes they
// answer: replies that arrive after their send's drain (remote targets).
func (p *halfOpen) receive(s *probeSocket) {
	defer p.wg.Done()
	rx := newRxBuf()
	errs := 0
	for {
		var n int
		var errno unix.Errno
		err := s.rc.Read(func(fd uintptr) bool {
			rx.vec.armRecv()
			n, errno = recvmmsg(fd, rx.vec.hdrs)
			return errno != unix.EAGAIN
		})
		if err != nil {
			return // closed
		}
		if errno != 0 || n <= 0 {
			// A raw socket reports some ICMP errors as a pending socket
			// error, returned once by the next read: not a reply. Back off
			// should one ever repeat.
			if errs++; errs > 100 {
				time.Sleep(10 * time.Millisecond)
			}
			continue
		}
		errs = 0
		p.handle(s, &rx, n)
	}
}

// handle ends the probes the n received segments of rx answer.
func (p *halfOpen) handle(s *probeSocket, rx *rxBuf, n int) {
	results := rx.results[:0]
	now := p.now()
	p.mu.Lock()
	for i := range n {
		b, from := rx.vec.received(i)
		pr, r := p.matchLocked(s, b, from)
		if r == replyNone {
			p.unmatched.Add(1)
			continue
		}
		var err error
		if r == replyRefused {
			err = connectError(pr.job.ent.key.Target, unix.ECONNREFUSED)
		}
		results = append(results, p.endLocked(pr, now, err, false))
	}
	p.mu.Unlock()
	rx.results = results[:0]
	p.report(results)
}

// matchLocked finds the pending probe a received segment answers: b is
// the datagram (with the IPv4 header on IPv4), from its source address.
func (p *halfOpen) matchLocked(s *probeSocket, b, from []byte) (*probe, reply) {
	var seg segment
	var err error
	if s.fam == fam4 {
		seg, err = parseSegment4(b)
	} else {
		seg, err = parseTCP(b)
		seg.from, _ = netip.AddrFromSlice(from)
	}
	if err != nil || !seg.from.IsValid() {
		return nil, replyNone
	}
	pr := p.pending[probeKey{addr: keyAddr(seg.from), dport: seg.sport, sport: seg.dport}]
	if pr == nil {
		return nil, replyNone
	}
	return pr, classify(seg, pr.seq)
}

// synRTO is when a probe sends its SYN again if no answer came and its
// timeout allows: the initial retransmission timeout of RFC 6298, as a
// connect's SYN (a SYN lost once does not fail the check).
const synRTO = time.Second

// nextResend is when a probe that started at start (unix ns) and has sent
// its SYN sent times sends it again: like a connect's SYN, the interval
// doubles from synRTO (at 1 s, 3 s, 7 s, ... after the start). It is 0
// when that is not before the deadline.
func nextResend(start, deadline int64, sent int) int64 {
	if sent < 1 || sent > 30 {
		return 0
	}
	at := start + int64(synRTO)*(1<<sent-1)
	if at >= deadline {
		return 0
	}
	return at
}

// expire sends again the SYNs due for it and ends the probes whose
// deadline passed (the timer's function).
func (p *halfOpen) expire() {
	now := p.now()
	var results []done
	var resend [2][]*probe
	p.mu.Lock()
	for len(p.byDue) > 0 && p.byDue[0].dueAt() <= now.UnixNano() {
		pr := p.byDue[0]
		if pr.resendAt != 0 {
			pr.sent++
			pr.resendAt = nextResend(pr.start.UnixNano(), pr.deadline, pr.sent)
			heap.Fix(&p.byDue, 0)
			resend[pr.fam.fam] = append(resend[pr.fam.fam], pr)
			continue
		}
		results = append(results, p.endLocked(pr, now, fmt.Errorf("half-open check of %s: %w", pr.job.ent.key.Target, errTimedOut), true))
	}
	p.timerAt = 1<<63 - 1
	if len(p.byDue) > 0 && !p.closed {
		p.timerAt = p.byDue[0].dueAt()
		p.timer.Reset(time.Duration(p.timerAt - now.UnixNano()))
	}
	p.mu.Unlock()
	for fam, ps := range resend {
		if len(ps) > 0 {
			results = p.send(p.fams[fam], ps, results)
		}
	}
	p.report(results)
}

// close ends every pending probe with errLoopClosed and closes the sockets.
func (p *halfOpen) close() {
	p.mu.Lock()
	p.closed = true
	p.timer.Stop()
	var results []done
	for _, pr := range p.pending {
		results = append(results, done{job: pr.job, start: pr.start, end: p.now(), err: errLoopClosed})
	}
	p.pending, p.byDue = nil, nil
	p.mu.Unlock()
	for _, s := range p.fams {
		if s != nil {
			s.close()
		}
	}
	p.wg.Wait()
	p.report(results)
}

// dueAt and setIndex make a probe a dueItem: it is due at its resend
// while that is pending, else at its deadline.
func (x *probe) dueAt() int64 {
	if x.resendAt != 0 {
		return x.resendAt
	}
	return x.deadline
}
func (x *probe) setIndex(i int) { x.index = i }
