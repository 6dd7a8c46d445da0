package vrrp

import (
	"context"
	"log/slog"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/testenv"
)

// TestIntervalSeen: a router's interval other than this node's is logged
// when first seen and when it changes, not again while it stays, and is
// forgotten when the router sends this node's interval.
func TestIntervalSeen(t *testing.T) {
	s := intervalSeen{}
	a, b := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
	mine := time.Second
	for i, c := range []struct {
		src  netip.Addr
		iv   uint16
		want bool
	}{
		{a, 100, false}, // 1 s: mine
		{a, 200, true},
		{a, 200, false},
		{b, 200, true}, // another router
		{a, 300, true}, // changed
		{a, 100, false},
		{a, 300, true}, // forgotten after it matched
	} {
		if got := s.differs(c.src, c.iv, mine); got != c.want {
			t.Errorf("advert %d from %s with %d cs: differs %v, want %v", i, c.src, c.iv, got, c.want)
		}
	}
	many := intervalSeen{}
	logged := 0
	for i := range 200 {
		if many.differs(netip.AddrFrom4([4]byte{198, 51, 100, byte(i)}), 200, mine) {
			logged++
		}
	}
	if logged != maxIntervalSeen || len(many) != maxIntervalSeen {
		t.Errorf("200 sources logged %d times, %d kept; want both %d", logged, len(many), maxIntervalSeen)
	}
}

// TestNodeLogsAnIntervalMismatchOnce: a Backup reading a Master's adverts
// at another interval logs it once. The Master's priority-0 advert, whose
// own line the node writes after it, shows the three before it handled.
func TestNodeLogsAnIntervalMismatchOnce(t *testing.T) {
	seg := &segment{}
	var out testenv.Buffer
	n, err := NewNode(testConfig(100), seg.attach("192.0.2.11"), SystemClock{}, slog.New(slog.NewTextHandler(&out, nil)))
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- n.Run(context.Background()) }()
	defer func() { n.Shutdown(); <-errc }()
	waitState(t, n.Events(), Backup)
	src := netip.MustParseAddr("192.0.2.99")
	for _, prio := range []uint8{250, 250, 250, 0} {
		b, _ := Advert{VRID: 60, Priority: prio, Interval: 20, Addrs: []netip.Addr{vip4}}.AppendMarshal(nil, src, GroupIPv4)
		seg.inject(Packet{Src: src, Dst: GroupIPv4, TTL: TTL, Payload: b})
	}
	testenv.Eventually(t, 5*time.Second, func() bool { return strings.Contains(out.String(), "vrrp priority-0 advert received") },
		"the priority-0 advert handled")
	if got := strings.Count(out.String(), "vrrp advert interval differs"); got != 1 {
		t.Fatalf("%d mismatch lines after three adverts at 200 ms (mine 100 ms), want 1:\n%s", got, out.String())
	}
	if !strings.Contains(out.String(), "interval=200ms configured=100ms") {
		t.Fatalf("the line does not name both intervals:\n%s", out.String())
	}
}
