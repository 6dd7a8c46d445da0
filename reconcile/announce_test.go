package reconcile

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/kernel/addrs"
	"github.com/seesaw-lb/seesaw/kernel/kerneltest"
)

// stepSleeper replaces the announcer's sleep: each sleep reports its
// duration on slept and returns when the test steps it (or the schedule
// ends).
type stepSleeper struct {
	slept chan time.Duration
	step  chan struct{}
}

func (s stepSleeper) sleep(ctx context.Context, d time.Duration) error {
	select {
	case s.slept <- d:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-s.step:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// TestAnnounceRepeatsAndRefreshes: a VRRP master announces a VIP it adds
// garp_master_repeat times garp_interval apart, again after
// garp_master_delay, then every garp_master_refresh; nothing once it gave
// the VIP up. The announcements are counted on the fake interface.
func TestAnnounceRepeatsAndRefreshes(t *testing.T) {
	ctx := context.Background()
	fa := kerneltest.NewAddresses("eth1")
	v := NewVIPs(fa, nil)
	ss := stepSleeper{slept: make(chan time.Duration), step: make(chan struct{})}
	v.announce.sleep = ss.sleep
	cfg := config(t, "node.yaml", "node: {name: lb1, interface: eth1, scope: {prefixes: [192.0.2.0/24]},"+
		" vrrp: {vrid: 1, garp_master_repeat: 3, garp_interval: 100ms, garp_master_delay: 2s, garp_master_refresh: 60s}}\n",
		"svc.yaml", "services:\n"+webYAML)
	pol := addressPolicyOf(cfg)
	if _, err := v.Sync(ctx, effective(cfg, nil, true, nil).Addresses, pol); err != nil {
		t.Fatal(err)
	}
	count := func() int { return len(fa.Announced()) }
	waitUntil(t, func() bool { return count() >= 1 })
	if count() != 1 {
		t.Fatalf("announced %d times at once, want 1", count())
	}
	// After each sleep, the number of announcements sent so far.
	for i, want := range []struct {
		sleep time.Duration
		after int
	}{
		{100 * time.Millisecond, 2}, {100 * time.Millisecond, 3}, // the first burst of 3
		{2 * time.Second, 4}, {100 * time.Millisecond, 5}, {100 * time.Millisecond, 6}, // the second
		{time.Minute, 7}, {time.Minute, 8}, // refreshes
	} {
		if d := <-ss.slept; d != want.sleep {
			t.Fatalf("sleep %d: %v, want %v", i, d, want.sleep)
		}
		ss.step <- struct{}{}
		waitUntil(t, func() bool { return count() >= want.after })
		if count() != want.after {
			t.Fatalf("after sleep %d: %d announcements, want %d", i, count(), want.after)
		}
	}
	<-ss.slept // the next refresh is due
	if _, err := v.Sync(ctx, effective(cfg, nil, false, nil).Addresses, pol); err != nil {
		t.Fatal(err)
	}
	select { // the sleep may or may not take the step: either way nothing is sent
	case ss.step <- struct{}{}:
	case <-time.After(50 * time.Millisecond):
	}
	time.Sleep(50 * time.Millisecond)
	if count() != 8 || !slices.Equal(fa.Announced()[7:], []netip.Addr{netip.MustParseAddr("192.0.2.10")}) {
		t.Fatalf("announced %v after the VIP went", fa.Announced())
	}
}

// TestAnnounceOnceWhenStandalone: without node.vrrp an added VIP is
// announced once, as before the garp settings existed.
func TestAnnounceOnceWhenStandalone(t *testing.T) {
	fa := kerneltest.NewAddresses("eth1")
	v := NewVIPs(fa, nil)
	v.announce.sleep = func(context.Context, time.Duration) error {
		t.Error("a standalone node scheduled an announcement")
		return nil
	}
	cfg := config(t, "node.yaml", "node: {name: lb1, interface: eth1, scope: {prefixes: [192.0.2.0/24]}}\n", "svc.yaml", "services:\n"+webYAML)
	if _, err := v.Sync(context.Background(), effective(cfg, nil, true, nil).Addresses, addressPolicyOf(cfg)); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, func() bool { return len(fa.Announced()) >= 1 })
	time.Sleep(50 * time.Millisecond)
	if got := len(fa.Announced()); got != 1 {
		t.Fatalf("announced %d times, want 1", got)
	}
}

// batchCounting counts the batches that send first announcements: adds
// announced as they go (AddAllAnnounce) and announcements alone
// (AnnounceAll).
type batchCounting struct {
	*kerneltest.Addresses
	mu      sync.Mutex
	batches []int // addresses per batch
}

func (b *batchCounting) count(n int) {
	b.mu.Lock()
	b.batches = append(b.batches, n)
	b.mu.Unlock()
}

func (b *batchCounting) AnnounceAll(ctx context.Context, ifname string, as []netip.Addr) []error {
	b.count(len(as))
	return b.Addresses.AnnounceAll(ctx, ifname, as)
}

func (b *batchCounting) AddAllAnnounce(ctx context.Context, ifname string, ps []netip.Prefix, announce []bool) ([]error, []bool) {
	b.count(len(ps))
	return b.Addresses.AddAllAnnounce(ctx, ifname, ps, announce)
}

// announceOnly has the batch announcer but adds one address at a time.
type announceOnly struct {
	addrs.Addresses
	b *batchCounting
}

func (a announceOnly) AnnounceAll(ctx context.Context, ifname string, as []netip.Addr) []error {
	return a.b.AnnounceAll(ctx, ifname, as)
}

// noBatch hides every optional method of the fake: one address at a time.
type noBatch struct{ addrs.Addresses }

// TestTakeoverAnnouncesEveryVIPAtOnce: the first announcement of every
// VIP a takeover adds has left when Sync returns, one batch per
// interface: each VIP announced as it is added (AddAllAnnounce), or all
// after the adds (AnnounceAll); each schedule goes on from its second
// (garp_master_repeat 2: two in all per VIP). Without either, each
// schedule sends its own first, and the totals are the same.
func TestTakeoverAnnouncesEveryVIPAtOnce(t *testing.T) {
	svcs := "services:\n"
	for i, vip := range []string{"192.0.2.11", "192.0.2.12", "192.0.2.13", "192.0.2.53"} {
		ifname := "eth1"
		if i == 3 {
			ifname = "eth2"
		}
		svcs += fmt.Sprintf("  - name: s%d\n    vip: %s\n    interface: %s\n    ports: [{proto: tcp, port: 80}]\n    backends: [{address: 198.51.100.%d}]\n",
			i, vip, ifname, 10+i)
	}
	cfg := config(t, "node.yaml", "node: {name: lb1, interface: [eth1, eth2], scope: {prefixes: [192.0.2.0/24]},"+
		" vrrp: {vrid: 1, garp_master_repeat: 2, garp_interval: 10ms, garp_master_delay: 0s}}\n", "svc.yaml", svcs)
	for _, mode := range []string{"add and announce", "announce after", "one at a time"} {
		fa := kerneltest.NewAddresses("eth1", "eth2")
		bc := &batchCounting{Addresses: fa}
		var a addrs.Addresses = bc
		switch mode {
		case "announce after":
			a = announceOnly{Addresses: fa, b: bc}
		case "one at a time":
			a = noBatch{fa}
		}
		batched := mode != "one at a time"
		v := NewVIPs(a, nil)
		if _, err := v.Sync(context.Background(), effective(cfg, nil, true, nil).Addresses, addressPolicyOf(cfg)); err != nil {
			t.Fatal(err)
		}
		if batched {
			bc.mu.Lock()
			batches := slices.Clone(bc.batches)
			bc.mu.Unlock()
			if got := len(fa.Announced()); got < 4 || !slices.Equal(batches, []int{3, 1}) {
				t.Fatalf("%s: when Sync returned, %d announcements in batches %v; want the 4 VIPs' first, in batches [3 1]", mode, got, batches)
			}
		}
		waitUntil(t, func() bool { return len(fa.Announced()) >= 8 })
		time.Sleep(50 * time.Millisecond)
		if got := fa.Announced(); len(got) != 8 {
			t.Fatalf("%s: %d announcements %v, want 2 per VIP", mode, len(got), got)
		}
	}
}

// listCounting counts the listings of the interfaces.
type listCounting struct {
	*kerneltest.Addresses
	lists atomic.Int64
}

func (l *listCounting) List(ctx context.Context, ifname string) ([]netip.Prefix, error) {
	l.lists.Add(1)
	return l.Addresses.List(ctx, ifname)
}

// TestTakeoverAddsWithoutListing: the takeover fast path adds and
// announces every VIP without listing an interface, counts a VIP already
// there as held, and the Sync after it finds nothing left to add.
func TestTakeoverAddsWithoutListing(t *testing.T) {
	ctx := context.Background()
	fa := kerneltest.NewAddresses("eth1")
	if err := fa.Add(ctx, "eth1", netip.MustParsePrefix("192.0.2.12/32")); err != nil { // left by a crash
		t.Fatal(err)
	}
	lc := &listCounting{Addresses: fa}
	v := NewVIPs(lc, nil)
	svcs := "services:\n"
	for i, vip := range []string{"192.0.2.11", "192.0.2.12"} {
		svcs += fmt.Sprintf("  - name: s%d\n    vip: %s\n    ports: [{proto: tcp, port: 80}]\n    backends: [{address: 198.51.100.%d}]\n", i, vip, 10+i)
	}
	cfg := config(t, "node.yaml", "node: {name: lb1, interface: eth1, scope: {prefixes: [192.0.2.0/24]}, vrrp: {vrid: 1, garp_master_repeat: 1, garp_master_delay: 0s}}\n",
		"svc.yaml", svcs)
	target, pol := effective(cfg, nil, true, nil).Addresses, addressPolicyOf(cfg)
	held, err := v.Takeover(ctx, target, pol)
	if err != nil || len(held) != 2 || lc.lists.Load() != 0 {
		t.Fatalf("takeover: held %v, %v, %d listings; want both VIPs, no listing", held, err, lc.lists.Load())
	}
	if got := fa.Announced(); len(got) != 2 {
		t.Fatalf("announced %v at the takeover, want both VIPs", got)
	}
	held, err = v.Sync(ctx, target, pol)
	if err != nil || len(held) != 2 || lc.lists.Load() == 0 {
		t.Fatalf("sync after the takeover: held %v, %v, %d listings", held, err, lc.lists.Load())
	}
	time.Sleep(20 * time.Millisecond)
	if got := fa.Announced(); len(got) != 2 {
		t.Fatalf("announced %v after the sync, want nothing more", got)
	}
}

// preparing is fake Addresses that count the announcement sockets opened
// ahead, per interface, and fail on the interfaces in failing.
type preparing struct {
	*kerneltest.Addresses
	prepared map[string]int
	failing  map[string]bool
}

func (p *preparing) PrepareAnnounce(_ context.Context, ifname string) error {
	if p.failing[ifname] {
		return fmt.Errorf("prepare %s: broken", ifname)
	}
	p.prepared[ifname]++
	return nil
}

// TestBackupPreparesAnnouncementSockets: a Sync, as backup too, opens the
// announcement socket of each VIP interface once, so that a takeover's
// first announcement waits for no socket; never the anycast interface's
// (anycast VIPs are never announced); a failure is tried again on the
// next Sync.
func TestBackupPreparesAnnouncementSockets(t *testing.T) {
	ctx := context.Background()
	p := &preparing{Addresses: kerneltest.NewAddresses("eth1", "eth2", "any0"), prepared: map[string]int{}, failing: map[string]bool{"eth2": true}}
	v := NewVIPs(p, nil)
	pol := AddressPolicy{Interfaces: []string{"eth1", "eth2", "any0"}, Prefixes: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}, Anycast: "any0"}
	for range 2 {
		if _, err := v.Sync(ctx, nil, pol); err != nil {
			t.Fatal(err)
		}
	}
	if p.prepared["eth1"] != 1 || p.prepared["any0"] != 0 || p.prepared["eth2"] != 0 {
		t.Fatalf("prepared %v after two backup syncs, want eth1 once, any0 never", p.prepared)
	}
	p.failing["eth2"] = false
	if _, err := v.Sync(ctx, nil, pol); err != nil {
		t.Fatal(err)
	}
	if p.prepared["eth2"] != 1 || p.prepared["eth1"] != 1 {
		t.Fatalf("prepared %v, want eth2 tried again and opened once", p.prepared)
	}
}
