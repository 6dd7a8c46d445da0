package vrrp

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/seesaw-lb/seesaw/internal/testenv"
)

// senderVRID marks the adverts of these tests on the loopback interface.
const senderVRID = 217

var loopback = netip.MustParseAddr("127.0.0.1")

// loopAdverts receives the protocol-112 packets of VRID senderVRID on the
// host's loopback, with their arrival times.
type loopAdverts struct {
	fd   int
	mu   sync.Mutex
	got  []loopAdvert
	done chan struct{}
}

type loopAdvert struct {
	at       time.Time
	priority uint8
	dst      netip.Addr
}

// rawLoopSocket opens a raw IPv4 protocol-112 socket, or skips the test
// without CAP_NET_RAW.
func rawLoopSocket(t *testing.T) int {
	t.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 112)
	if errors.Is(err, unix.EPERM) {
		t.Skip("needs CAP_NET_RAW (a raw IP socket on the loopback)")
	}
	if err != nil {
		t.Fatal(err)
	}
	return fd
}

func listenLoop(t *testing.T) *loopAdverts {
	l := &loopAdverts{fd: rawLoopSocket(t), done: make(chan struct{})}
	t.Cleanup(func() { unix.Shutdown(l.fd, unix.SHUT_RDWR); unix.Close(l.fd); <-l.done })
	go func() {
		defer close(l.done)
		buf := make([]byte, 1500)
		for {
			n, _, err := unix.Recvfrom(l.fd, buf, 0)
			if err == unix.EINTR {
				continue
			}
			if err != nil || n == 0 {
				return
			}
			ihl := int(buf[0]&0xf) * 4
			if n < ihl+8 || buf[ihl+1] != senderVRID {
				continue
			}
			l.mu.Lock()
			l.got = append(l.got, loopAdvert{at: time.Now(), priority: buf[ihl+2], dst: netip.AddrFrom4([4]byte(buf[16:20]))})
			l.mu.Unlock()
		}
	}()
	return l
}

func (l *loopAdverts) adverts() []loopAdvert {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]loopAdvert(nil), l.got...)
}

// logBuf is a concurrency-safe log destination.
type logBuf = testenv.Buffer

// loopTimingPriority is the SCHED_FIFO priority of the timing checks'
// senders: real-time as root, so that a busy host does not move them.
func loopTimingPriority() int {
	if os.Geteuid() == 0 {
		return 10
	}
	return 0
}

// loopSender starts an advert sender process on a raw socket that sends
// to 127.0.0.1, with its fallback thread on the same socket.
func loopSender(t *testing.T, prio int) (*procSender, *logBuf) {
	t.Helper()
	fd := rawLoopSocket(t)
	t.Cleanup(func() { unix.Close(fd) })
	lb := &logBuf{}
	log := slog.New(slog.NewTextHandler(lb, nil))
	var th *sendThread
	t.Cleanup(func() {
		if th != nil {
			th.close()
		}
	})
	dup, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	p, err := startSender(senderSpec{sockFD: dup, name: "lo", ifindex: 1, primary: loopback, dsts: []netip.Addr{loopback}, prio: prio,
		thread: func() (*sendThread, error) {
			d, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
			if err != nil {
				return nil, err
			}
			th, _ = newSendThread(d, loopback, []netip.Addr{loopback}, 1, nil, prio, log)
			return th, nil
		}}, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.close)
	return p, lb
}

func loopAdvert100(prio uint8) Advert {
	return Advert{VRID: senderVRID, Priority: prio, Interval: 10, Addrs: []netip.Addr{netip.MustParseAddr("192.0.2.10")}}
}

// waitStats polls the process's counters until ok says they are there.
func waitStats(t *testing.T, p *procSender, what string, ok func(threadStats) bool) threadStats {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		st := p.threadStats()
		if ok(st) {
			return st
		}
		if time.Now().After(end) {
			t.Fatalf("%s: counters %+v", what, st)
		}
	}
}

// TestSenderProcessRepeatsThenExpires: one advert handed is sent at its
// time, repeated twice at the interval by the process alone, and then
// the lease runs out: nothing more leaves.
func TestSenderProcessRepeatsThenExpires(t *testing.T) {
	rx := listenLoop(t)
	p, _ := loopSender(t, loopTimingPriority())
	due := time.Now().Add(30 * time.Millisecond)
	if err := p.SendAt(loopAdvert100(100), due); err != nil {
		t.Fatal(err)
	}
	st := waitStats(t, p, "lease expiry", func(s threadStats) bool { return s.expired == 1 })
	time.Sleep(250 * time.Millisecond)
	got := rx.adverts()
	if len(got) != 3 || st.sent != 3 || st.repeated != 2 {
		t.Fatalf("received %d adverts, process sent %d, repeated %d; want 3, 3, 2", len(got), st.sent, st.repeated)
	}
	if got[0].at.Before(due) {
		t.Fatalf("advert left %v before its time", due.Sub(got[0].at))
	}
	for i := 1; i < len(got); i++ {
		if d := got[i].at.Sub(got[i-1].at); d < 80*time.Millisecond || d > 150*time.Millisecond {
			t.Fatalf("repeat %d came %v after the previous advert, want about 100ms", i, d)
		}
	}
}

// TestSenderProcessDropsLateAdvertItCovered: an advert handed after the
// process already repeated the previous one for its time is dropped and
// counted, not sent twice.
func TestSenderProcessDropsLateAdvertItCovered(t *testing.T) {
	rx := listenLoop(t)
	p, _ := loopSender(t, loopTimingPriority())
	due := time.Now().Add(20 * time.Millisecond)
	if err := p.SendAt(loopAdvert100(100), due); err != nil {
		t.Fatal(err)
	}
	waitStats(t, p, "the first repeat", func(s threadStats) bool { return s.repeated >= 1 })
	if err := p.SendAt(loopAdvert100(100), due.Add(100*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	st := waitStats(t, p, "the lease run out", func(s threadStats) bool { return s.expired == 1 })
	time.Sleep(50 * time.Millisecond)
	if got := len(rx.adverts()); st.dropped != 1 || st.sent != 1+st.repeated || uint64(got) != st.sent {
		t.Fatalf("process dropped %d, sent %d with %d repeats, %d received; want 1 dropped, every send a repeat but the first, all received",
			st.dropped, st.sent, st.repeated, got)
	}
}

// TestSenderProcessFinalIsLast: a priority-0 advert leaves at once,
// drops the advert waiting and ends the repetition; closing right after
// it still sends it.
func TestSenderProcessFinalIsLast(t *testing.T) {
	rx := listenLoop(t)
	p, _ := loopSender(t, loopTimingPriority())
	if err := p.SendAt(loopAdvert100(100), time.Now().Add(10*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	waitStats(t, p, "the first advert", func(s threadStats) bool { return s.sent == 1 })
	if err := p.SendAt(loopAdvert100(100), time.Now().Add(60*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if err := p.SendNow(loopAdvert100(0)); err != nil {
		t.Fatal(err)
	}
	p.close()
	time.Sleep(300 * time.Millisecond)
	got := rx.adverts()
	if len(got) != 2 || got[1].priority != 0 {
		t.Fatalf("received %+v; want the first advert, then the priority-0 one only", got)
	}
}

// TestSenderProcessKilledFallsBack: adverts handed every interval keep
// arriving when the process is killed with SIGKILL: the node logs and
// counts it and the timing thread sends from then on, with no gap longer
// than two intervals (one missed advert at most).
func TestSenderProcessKilledFallsBack(t *testing.T) {
	rx := listenLoop(t)
	p, lb := loopSender(t, loopTimingPriority())
	start := time.Now().Add(20 * time.Millisecond)
	stop := make(chan struct{})
	handed := make(chan struct{})
	go func() {
		defer close(handed)
		for i := range 12 {
			due := start.Add(time.Duration(i) * 100 * time.Millisecond)
			time.Sleep(time.Until(due.Add(-20 * time.Millisecond)))
			select {
			case <-stop:
				return
			default:
			}
			if err := p.SendAt(loopAdvert100(100), due); err != nil {
				t.Errorf("advert %d: %v", i, err)
			}
		}
	}()
	time.Sleep(time.Until(start.Add(450 * time.Millisecond)))
	pid := p.pid
	if err := unix.Kill(pid, unix.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-handed
	close(stop)
	time.Sleep(150 * time.Millisecond)
	st := p.threadStats()
	if st.exits != 1 {
		t.Fatalf("process lost %d times, want 1", st.exits)
	}
	if !strings.Contains(lb.String(), "vrrp advert sender process lost") || !strings.Contains(lb.String(), "heap_allocs=") {
		t.Fatalf("no log of the loss with the process's allocation count:\n%s", lb.String())
	}
	got := rx.adverts()
	if len(got) < 11 {
		t.Fatalf("received %d of 12 adverts", len(got))
	}
	for i := 1; i < len(got); i++ {
		if d := got[i].at.Sub(got[i-1].at); d > 230*time.Millisecond {
			t.Fatalf("gap of %v between adverts %d and %d around the kill (pid %d)", d, i-1, i, pid)
		}
	}
}

// TestSenderProcessCloseLeavesNoOrphan: after close the process is gone
// from the process table, and no sender process of this one is left.
func TestSenderProcessCloseLeavesNoOrphan(t *testing.T) {
	p, _ := loopSender(t, loopTimingPriority())
	pid := p.pid
	if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); err != nil {
		t.Fatalf("sender process %d not in the process table while running: %v", pid, err)
	}
	p.close()
	if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("sender process %d still in the process table after close: %v", pid, err)
	}
	if kids := senderChildren(t, os.Getpid()); len(kids) > 0 {
		t.Fatalf("sender processes left: %v", kids)
	}
}

// senderChildren lists the children of process parent that are advert
// senders.
func senderChildren(t *testing.T, parent int) []int {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var kids []int
	me := strconv.Itoa(parent)
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		cmdline, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if len(f) > 1 && f[1] == me && bytes.Contains(cmdline, []byte(senderArg)) {
			kids = append(kids, pid)
		}
	}
	return kids
}

// TestSenderProcessRealtime: with a priority the process's sending
// thread runs SCHED_FIFO (the test runs as root; skipped otherwise).
func TestSenderProcessRealtime(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root (CAP_SYS_NICE)")
	}
	p, lb := loopSender(t, 10)
	pol, err := threadPolicy(p.tid)
	if err != nil {
		t.Fatal(err)
	}
	if pol != unix.SCHED_FIFO {
		t.Fatalf("sender thread %d has policy %d, want SCHED_FIFO; log:\n%s", p.tid, pol, lb.String())
	}
	if !strings.Contains(lb.String(), "policy=SCHED_FIFO") {
		t.Fatalf("start not logged with the policy:\n%s", lb.String())
	}
}

// TestSenderProcessStoppedFallsBack: a process that stops (SIGSTOP: it
// neither sends nor reports) while the node hands it adverts is taken
// for hung after senderHangIntervals intervals, killed, and the thread
// takes over.
func TestSenderProcessStoppedFallsBack(t *testing.T) {
	rx := listenLoop(t)
	p, lb := loopSender(t, loopTimingPriority())
	start := time.Now().Add(20 * time.Millisecond)
	for i := range 12 {
		due := start.Add(time.Duration(i) * 100 * time.Millisecond)
		time.Sleep(time.Until(due.Add(-20 * time.Millisecond)))
		if i == 3 {
			if err := unix.Kill(p.pid, unix.SIGSTOP); err != nil {
				t.Fatal(err)
			}
		}
		if err := p.SendAt(loopAdvert100(100), due); err != nil {
			t.Fatalf("advert %d: %v", i, err)
		}
	}
	time.Sleep(150 * time.Millisecond)
	if st := p.threadStats(); st.exits != 1 {
		t.Fatalf("process lost %d times, want 1; log:\n%s", st.exits, lb.String())
	}
	if !strings.Contains(lb.String(), "reported nothing") {
		t.Fatalf("the loss does not say the process went silent:\n%s", lb.String())
	}
	got := rx.adverts()
	var worst time.Duration
	for i := 1; i < len(got); i++ {
		worst = max(worst, got[i].at.Sub(got[i-1].at))
	}
	// Silent from the stop to the check that found it: the intervals of
	// senderHangIntervals and the one in which it was stopped.
	if limit := time.Duration(senderHangIntervals+2) * 100 * time.Millisecond; worst > limit || len(got) < 6 {
		t.Fatalf("received %d adverts, the longest gap %v; want the thread to resume within %v", len(got), worst, limit)
	}
}

// TestSenderProcessSurvivesABackupSpell: a node that left mastership with
// a priority-0 advert (step-down, preempted) and stays Backup for longer
// than the process may be silent while handed adverts still has its
// process when it is Master again: the final advert ended the hang watch.
func TestSenderProcessSurvivesABackupSpell(t *testing.T) {
	rx := listenLoop(t)
	p, lb := loopSender(t, loopTimingPriority())
	if err := p.SendAt(loopAdvert100(100), time.Now().Add(20*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	waitStats(t, p, "the first advert sent", func(st threadStats) bool { return st.sent >= 1 })
	p.Cancel()
	if err := p.SendNow(loopAdvert100(0)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Duration(senderHangIntervals+3) * 100 * time.Millisecond)
	if err := p.SendNow(loopAdvert100(100)); err != nil {
		t.Fatal(err)
	}
	if st := p.threadStats(); st.exits != 0 || strings.Contains(lb.String(), "lost") {
		t.Fatalf("process lost %d times after a backup spell; log:\n%s", st.exits, lb.String())
	}
	waitStats(t, p, "the new mastership's advert sent by the process", func(st threadStats) bool { return st.sent >= 3 })
	if n := len(rx.adverts()); n < 3 {
		t.Fatalf("received %d adverts, want 3", n)
	}
}

// TestSenderProcessReportsItsOwnLateness: an advert the process sends late
// for a reason of its own (here stopped with SIGSTOP after it took the
// advert, which is not a wait on the run queue) counts in goLate and
// maxGoLate as well as in late, so the benchmark can tell the host
// scheduler's share from the process's. An attempt in which the process
// had not yet read the advert when it was stopped (a loaded host) measures
// nothing late, and the next one tries again.
func TestSenderProcessReportsItsOwnLateness(t *testing.T) {
	listenLoop(t)
	p, _ := loopSender(t, 0)
	var st threadStats
	for attempt := 1; attempt <= 3; attempt++ {
		due := time.Now().Add(60 * time.Millisecond)
		if err := p.SendAt(loopAdvert100(100), due); err != nil {
			t.Fatal(err)
		}
		time.Sleep(40 * time.Millisecond)
		if err := unix.Kill(p.pid, unix.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Until(due.Add(40 * time.Millisecond)))
		if err := unix.Kill(p.pid, unix.SIGCONT); err != nil {
			t.Fatal(err)
		}
		st = waitStats(t, p, "the stopped advert sent", func(st threadStats) bool { return st.sent >= uint64(attempt) })
		if st.goLate >= 1 {
			break
		}
		time.Sleep(150 * time.Millisecond) // past the lease's repeats of this advert
	}
	if st.late < 1 || st.goLate < 1 || st.maxGoLate < 10*time.Millisecond || st.maxGoLate > st.maxLate {
		t.Fatalf("late %d (max %v), own %d (max %v); want the stop counted as the process's own lateness",
			st.late, st.maxLate, st.goLate, st.maxGoLate)
	}
}

// TestSenderAllocsReadDoesNotAllocate: the process reads its allocation
// count for every report with its garbage collector off, so the read
// must not allocate; and the count follows the heap.
func TestSenderAllocsReadDoesNotAllocate(t *testing.T) {
	a := newSenderAllocs()
	if n := testing.AllocsPerRun(100, func() { a.read() }); n != 0 {
		t.Fatalf("read allocates %v times, want 0", n)
	}
	before := a.read()
	keep := make([]*[64]byte, 10000)
	for i := range keep {
		keep[i] = new([64]byte)
	}
	if after := a.read(); after < before+uint64(len(keep))/2 {
		t.Fatalf("allocation count %d before %d objects were allocated, %d after", before, len(keep), after)
	}
	runtime.KeepAlive(keep)
}

// waitCounters polls the process's last report until ok says it is
// there; it polls faster than waitStats, for adverts sent at once.
func waitCounters(t *testing.T, p *procSender, what string, ok func(senderCounters) bool) senderCounters {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); ; time.Sleep(100 * time.Microsecond) {
		c := *p.counters.Load()
		if ok(c) {
			return c
		}
		if time.Now().After(end) {
			t.Fatalf("%s: counters %+v", what, c)
		}
	}
}

// TestSenderProcessAllocatesNothingInSteadyState: the process runs with
// its garbage collector off, so every heap object it allocates once it
// runs is never freed. After a warm-up, rounds of the node's traffic at a
// 10 ms interval (an advert at its time, one covered by it and dropped,
// the lease's repeats and expiry, adverts sent at once in bursts, a
// cancel and a priority-0 advert: each step and drop reported, each send
// with its run-queue reads) leave the allocation count of its reports
// where it was in one of two windows of over 1000 adverts each: an
// allocation in the loop shows in both, while the runtime's own, once (a
// thread it starts when the host holds the process in a system call: its
// m and g structures, 16 objects in one run on a loaded host), shows in
// one at most. The runtime counts a span's objects when the span is full,
// so each window sends over 1000 adverts: one object of 16 bytes or more
// per advert fills a span (512 of them at most) even when the process's
// thread moves between two of the runtime's Ps.
func TestSenderProcessAllocatesNothingInSteadyState(t *testing.T) {
	p, _ := loopSender(t, loopTimingPriority())
	a := loopAdvert100(100)
	a.Interval = 1 // 10 ms
	final := a
	final.Priority = 0
	round := func() {
		c := *p.counters.Load()
		due := time.Now().Add(2 * time.Millisecond)
		if err := p.SendAt(a, due); err != nil {
			t.Fatal(err)
		}
		if err := p.SendAt(a, due.Add(time.Millisecond)); err != nil { // covered by the one before
			t.Fatal(err)
		}
		c = waitCounters(t, p, "the lease run out", func(n senderCounters) bool { return n.expired > c.expired })
		for range 8 {
			for range leaseSlots - 1 {
				if err := p.SendNow(a); err != nil {
					t.Fatal(err)
				}
			}
			c = waitCounters(t, p, "a burst sent", func(n senderCounters) bool { return n.sent+n.dropped >= c.sent+c.dropped+leaseSlots-1 })
		}
		p.Cancel()
		if err := p.SendNow(final); err != nil {
			t.Fatal(err)
		}
		waitCounters(t, p, "the priority-0 advert sent", func(n senderCounters) bool { return n.sent+n.dropped > c.sent+c.dropped })
	}
	for range 3 {
		round()
	}
	var windows [2]string
	allocated := 0
	for w := range windows {
		before := *p.counters.Load()
		for range 20 {
			round()
		}
		after := *p.counters.Load()
		sent, repeated, dropped, expired := after.sent-before.sent, after.repeated-before.repeated,
			after.dropped-before.dropped, after.expired-before.expired
		reports := sent + after.sendErrors - before.sendErrors + dropped + expired // one per step and per drop
		windows[w] = fmt.Sprintf("%d heap objects over %d adverts (%d repeats), %d drops, %d expiries, %d reports",
			after.allocs-before.allocs, sent, repeated, dropped, expired, reports)
		t.Logf("window %d: allocation count %d, then %d: %s", w+1, before.allocs, after.allocs, windows[w])
		if sent < 1000 || repeated == 0 || dropped == 0 || expired == 0 {
			t.Fatalf("window %d: the rounds sent %d adverts with %d repeats, %d drops and %d expiries; want over 1000 and each path taken",
				w+1, sent, repeated, dropped, expired)
		}
		if after.allocs != before.allocs {
			allocated++
		}
	}
	if allocated == len(windows) {
		t.Fatalf("the sender process allocated in both windows after warm-up (%s; then %s); want none in at least one (its garbage collector is off)",
			windows[0], windows[1])
	}
}
