package vrrp

import (
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// udpThread starts a timing thread on a UDP socket whose sends fail
// (destination port 0: EINVAL), so the thread's bookkeeping can be checked
// without privileges.
func udpThread(t *testing.T) *sendThread {
	t.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	th, prioErr := newSendThread(fd, netip.MustParseAddr("127.0.0.1"), []netip.Addr{netip.MustParseAddr("127.0.0.1")},
		0, nil, 0, slog.New(slog.DiscardHandler))
	if prioErr != nil {
		t.Fatalf("priority 0 gave %v", prioErr)
	}
	return th
}

// TestTimingThreadCountsFailedSends: an advert whose sendmsg fails is
// counted as an error, not as sent, and close returns once it was tried.
func TestTimingThreadCountsFailedSends(t *testing.T) {
	th := udpThread(t)
	if err := th.SendAt(Advert{VRID: 1, Priority: 100, Interval: 10, Addrs: []netip.Addr{vip4}}, time.Now().Add(5*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	th.close()
	if st := th.threadStats(); st.errors != 1 || st.sent != 0 {
		t.Fatalf("thread counted %d sent, %d errors; want 0 and 1", st.sent, st.errors)
	}
}

// TestTimingThreadBusyAndClosed: with every slot waiting SendAt says
// ErrThreadBusy instead of blocking; after close it says net.ErrClosed.
func TestTimingThreadBusyAndClosed(t *testing.T) {
	th := udpThread(t)
	a := Advert{VRID: 1, Priority: 100, Interval: 10, Addrs: []netip.Addr{vip4}}
	at := time.Now().Add(50 * time.Millisecond)
	for i := range threadSlots {
		if err := th.SendAt(a, at); err != nil {
			t.Fatalf("slot %d: %v", i, err)
		}
	}
	if err := th.SendAt(a, at); !errors.Is(err, ErrThreadBusy) {
		t.Fatalf("SendAt with every slot waiting: %v, want ErrThreadBusy", err)
	}
	th.close()
	if err := th.SendAt(a, at); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("SendAt after close: %v, want net.ErrClosed", err)
	}
	if st := th.threadStats(); st.errors != threadSlots {
		t.Fatalf("close tried %d of %d waiting adverts", st.errors, threadSlots)
	}
}

// TestTimingThreadNeverEarly: the thread does not send before the due
// time: close, which waits for the queue, returns no earlier than it.
func TestTimingThreadNeverEarly(t *testing.T) {
	th := udpThread(t)
	due := time.Now().Add(30 * time.Millisecond)
	if err := th.SendAt(Advert{VRID: 1, Priority: 100, Interval: 10, Addrs: []netip.Addr{vip4}}, due); err != nil {
		t.Fatal(err)
	}
	th.close()
	if now := time.Now(); now.Before(due) {
		t.Fatalf("thread finished %v before the due time", due.Sub(now))
	}
}

// TestRunDelayReadDoesNotAllocate: the advert sender process reads its
// run-queue wait around every send with the garbage collector off, so the
// read must not allocate; and it parses schedstat's second field.
func TestRunDelayReadDoesNotAllocate(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
	}{
		{"123 456 7\n", 456},
		{"1 0 0\n", 0},
		{"", 0},
		{"5", 0},
		{"5  98765432101 3\n", 98765432101},
	} {
		if got := secondField([]byte(c.in)); got != c.want {
			t.Errorf("secondField(%q) = %d, want %d", c.in, got, c.want)
		}
	}
	rd := openRunDelay()
	defer rd.close()
	if allocs := testing.AllocsPerRun(100, func() { rd.read() }); allocs != 0 {
		t.Fatalf("read allocates %v times, want 0", allocs)
	}
}
