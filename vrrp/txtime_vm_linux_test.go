package vrrp

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/testenv"
)

// helperSendAt queues two adverts in the kernel 100 ms ahead, priority
// cfg.Priority and then priority 0 a microsecond later, as a node's last
// advert and its shutdown advert; it prints the wall-clock time it queued
// them at.
func helperSendAt(cfg Config) {
	conn, err := Listen(cfg)
	if err != nil {
		fail(err)
	}
	ts, ok := conn.(TimedSender)
	if !ok {
		fail(errors.New("the Linux conn is not a TimedSender"))
	}
	if err := ts.KernelTimed(); err != nil {
		fail(err)
	}
	emit(helperMsg{Kind: "ready"})
	now := time.Now()
	at := now.Add(100 * time.Millisecond)
	a := Advert{VRID: cfg.VRID, Priority: cfg.Priority, Interval: uint16(cfg.AdvertInterval / centisecond), Addrs: cfg.VIPs}
	if err := ts.SendAt(a, at); err != nil {
		fail(fmt.Errorf("queue advert: %w", err))
	}
	a.Priority = 0
	if err := ts.SendAt(a, at.Add(time.Microsecond)); err != nil {
		fail(fmt.Errorf("queue priority-0 advert: %w", err))
	}
	emit(helperMsg{Kind: "queued", Mono: now.UnixNano()})
	time.Sleep(200 * time.Millisecond)
}

// TestVMKernelTimedFq checks kernel-timed adverts on a kernel with the fq
// qdisc (the test VM's Debian kernel; the host's may lack it): fq holds a
// queued advert until its departure time and keeps the priority-0 advert
// queued behind it in order; a node with fq on its interface queues its
// adverts, its backup keeps hearing them, and its graceful shutdown's
// priority-0 advert is the last one.
func TestVMKernelTimedFq(t *testing.T) {
	testenv.RequireVM(t, "ip", "tc")
	t.Run("fq-holds-and-orders", func(t *testing.T) {
		l, obs := fqLAN(t, 2)
		cfg := nodeCfg(l, 0, 200, variants[0])
		cfg.KernelTimedAdverts = true
		s := startHelper(t, l.nss[0], "sendat", cfg)
		queued := s.wait("queued", "", 10*time.Second).Mono
		var got []helperMsg
		for len(got) < 2 {
			select {
			case m := <-obs.msgs:
				if m.Kind == "advert" {
					got = append(got, m)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("observer saw %d of 2 adverts", len(got))
			}
		}
		if got[0].Prio != 200 || got[1].Prio != 0 {
			t.Fatalf("adverts arrived with priorities %d, %d; want 200 then 0", got[0].Prio, got[1].Prio)
		}
		// Queued 100 ms ahead: fq must not have released it much earlier.
		if early := time.Duration(got[0].Mono - queued); early < 90*time.Millisecond {
			t.Fatalf("advert queued for +100ms arrived %v after queueing: fq ignored its departure time", early)
		}
	})
	t.Run("node", func(t *testing.T) {
		l, obs := fqLAN(t, 3)
		st, backup := timedHandover(t, l, variants[0])
		if st.AdvertTiming != TimingKernel || st.TimedSent == 0 || st.SendErrors != 0 {
			t.Fatalf("master with fq: timed on %q, %d adverts, %d ahead, %d errors; want kernel-timed ones and no errors",
				st.AdvertTiming, st.Sent, st.TimedSent, st.SendErrors)
		}
		e := backup.wait("event", "master", 5*time.Second)
		ads := advertsOf(obs, l.addr4(0).String())
		if e.Reason != string(ReasonPeerShutdown) {
			t.Fatalf("backup took over for %q, want %q; the observer saw %s", e.Reason, ReasonPeerShutdown, advertTail(ads, 6))
		}
		if len(ads) == 0 || ads[len(ads)-1].Prio != 0 {
			t.Fatalf("the observer saw %s; want the last to be priority 0", advertTail(ads, 6))
		}
	})
}

// fqLAN is a segment of n members with fq on member 0's eth0 and an
// observer on the last member.
func fqLAN(t *testing.T, n int) (*lan, *proc) {
	t.Helper()
	l := newLAN(t, n)
	run(t, "ip", "netns", "exec", l.nss[0], "tc", "qdisc", "replace", "dev", "eth0", "root", "fq")
	return l, startHelper(t, l.nss[n-1], "observe", nodeCfg(l, n-1, 1, variants[0]))
}
