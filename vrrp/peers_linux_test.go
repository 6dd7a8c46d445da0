package vrrp

import (
	"log/slog"
	"net/netip"
	"slices"
	"testing"
	"time"
)

var (
	loopback2 = netip.MustParseAddr("127.0.0.2")
	loopback3 = netip.MustParseAddr("127.0.0.3")
)

// dstsOf lists where each received advert went.
func dstsOf(got []loopAdvert) []netip.Addr {
	var d []netip.Addr
	for _, a := range got {
		d = append(d, a.dst)
	}
	return d
}

// TestSenderProcessPeersChange: after setPeers the process sends to the
// new destinations only. An advert sent before stays where it went; the
// next one, handed and then re-targeted before its time (peers changed
// twice), leaves once, to the last destinations, at its time, and the
// process's repeats of it follow it there. The test must re-target
// within the 100 ms between the first advert and its first repeat; a run
// in which the test process was held longer than that (a loaded host) is
// tried again, up to three times.
func TestSenderProcessPeersChange(t *testing.T) {
	for try := 1; ; try++ {
		if peersChange(t) {
			return
		}
		if try == 3 {
			t.Fatal("three tries in a row, the test process read the first advert's counters only after its repeat: the host held it for over 100 ms each time")
		}
		t.Logf("try %d: the first advert's repeat left before the test could re-target it (a loaded host); trying again", try)
		time.Sleep(500 * time.Millisecond) // the try's lease runs out (two repeats) before the next listens
	}
}

// peersChange is one try of TestSenderProcessPeersChange; false when the
// first advert had been repeated before the test could act.
func peersChange(t *testing.T) bool {
	rx := listenLoop(t)
	p, _ := loopSender(t, loopTimingPriority())
	due0 := time.Now().Add(30 * time.Millisecond)
	if err := p.SendAt(loopAdvert100(100), due0); err != nil {
		t.Fatal(err)
	}
	if st := waitStats(t, p, "first advert", func(s threadStats) bool { return s.sent >= 1 }); st.sent > 1 || st.expired > 0 {
		return false
	}
	if err := p.setPeers([]netip.Addr{loopback2}); err != nil {
		t.Fatal(err)
	}
	due1 := due0.Add(100 * time.Millisecond)
	if time.Now().After(due1) {
		return false // too late to re-target the next advert before its time
	}
	if err := p.SendAt(loopAdvert100(100), due1); err != nil {
		t.Fatal(err)
	}
	if err := p.setPeers([]netip.Addr{loopback3}); err != nil {
		t.Fatal(err)
	}
	st := waitStats(t, p, "lease expiry", func(s threadStats) bool { return s.expired == 1 })
	time.Sleep(250 * time.Millisecond)
	got := rx.adverts()
	want := []netip.Addr{loopback, loopback3, loopback3, loopback3}
	if d := dstsOf(got); !slices.Equal(d, want) {
		t.Fatalf("adverts went to %v, want %v (counters %+v)", d, want, st)
	}
	if got[1].at.Before(due1) {
		t.Fatalf("re-targeted advert left %v before its time", due1.Sub(got[1].at))
	}
	if st.sent != 4 || st.repeated != 2 || st.errors != 0 {
		t.Fatalf("process sent %d, repeated %d, failed %d; want 4, 2, 0", st.sent, st.repeated, st.errors)
	}
	return true
}

// TestSenderProcessPeersTooMany: more destinations than a message holds
// are refused and change nothing.
func TestSenderProcessPeersTooMany(t *testing.T) {
	p, _ := loopSender(t, 0)
	many := make([]netip.Addr, maxSenderDsts+1)
	for i := range many {
		many[i] = netip.AddrFrom4([4]byte{127, 0, 1, byte(i + 1)})
	}
	if err := p.setPeers(many); err == nil {
		t.Fatal("setPeers took more destinations than the process can")
	}
	if !slices.Equal(p.spec.dsts, []netip.Addr{loopback}) {
		t.Fatalf("destinations changed to %v", p.spec.dsts)
	}
}

// TestTimingThreadPeersChange: after setPeers the timing thread sends to
// the new destinations only: an advert sent before stays where it went;
// one queued and then re-targeted twice before its time leaves once, to
// the last destinations, at its time.
func TestTimingThreadPeersChange(t *testing.T) {
	rx := listenLoop(t)
	fd := rawLoopSocket(t)
	th, _ := newSendThread(fd, loopback, []netip.Addr{loopback}, 1, nil, loopTimingPriority(), slog.New(slog.DiscardHandler))
	defer th.close()
	a := loopAdvert100(100)
	due0 := time.Now().Add(30 * time.Millisecond)
	if err := th.SendAt(a, due0); err != nil {
		t.Fatal(err)
	}
	for end := time.Now().Add(5 * time.Second); th.threadStats().sent == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatal("first advert not sent")
		}
	}
	th.setPeers([]netip.Addr{loopback2})
	due1 := due0.Add(100 * time.Millisecond)
	if err := th.SendAt(a, due1); err != nil {
		t.Fatal(err)
	}
	th.setPeers([]netip.Addr{loopback2, loopback3})
	th.setPeers([]netip.Addr{loopback3})
	th.close()
	time.Sleep(50 * time.Millisecond)
	got := rx.adverts()
	want := []netip.Addr{loopback, loopback3}
	if d := dstsOf(got); !slices.Equal(d, want) {
		t.Fatalf("adverts went to %v, want %v", d, want)
	}
	if got[1].at.Before(due1) {
		t.Fatalf("re-targeted advert left %v before its time", due1.Sub(got[1].at))
	}
	if st := th.threadStats(); st.sent != 2 || st.errors != 0 {
		t.Fatalf("thread sent %d, failed %d; want 2, 0", st.sent, st.errors)
	}
}

// TestTimingThreadPeersBeforeAnyAdvert: a destination change with no
// advert waiting queues nothing.
func TestTimingThreadPeersBeforeAnyAdvert(t *testing.T) {
	rx := listenLoop(t)
	fd := rawLoopSocket(t)
	th, _ := newSendThread(fd, loopback, []netip.Addr{loopback}, 1, nil, 0, slog.New(slog.DiscardHandler))
	th.setPeers([]netip.Addr{loopback2})
	if err := th.SendAt(loopAdvert100(100), time.Now().Add(10*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	th.close()
	time.Sleep(50 * time.Millisecond)
	if d := dstsOf(rx.adverts()); !slices.Equal(d, []netip.Addr{loopback2}) {
		t.Fatalf("adverts went to %v, want [%v]", d, loopback2)
	}
}
