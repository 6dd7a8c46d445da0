package vrrp

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestNetnsKernelTimedAdverts runs a kernel-timed master (SO_TXTIME on
// whatever qdisc the veth has, so the send path runs on any kernel) next
// to a seesaw backup and an observer: the backup keeps hearing it, its
// graceful shutdown hands over after Skew_Time, and the observer's last
// advert from it is the priority-0 one.
func TestNetnsKernelTimedAdverts(t *testing.T) {
	requireNetns(t)
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			l := newLAN(t, 3)
			obs := startHelper(t, l.nss[2], "observe", nodeCfg(l, 2, 1, variants[0]))
			st, backup := timedHandover(t, l, v, "SEESAW_VRRP_TXTIME=any-qdisc")
			if st.AdvertTiming != TimingKernel || st.TimedSent == 0 || st.SendErrors != 0 {
				t.Fatalf("master timed adverts on %q, sent %d, %d timed, %d errors; want kernel-timed ones and no errors",
					st.AdvertTiming, st.Sent, st.TimedSent, st.SendErrors)
			}
			if e := backup.wait("event", "master", 5*time.Second); e.Reason != string(ReasonPeerShutdown) {
				t.Fatalf("backup took over for %q, want %q", e.Reason, ReasonPeerShutdown)
			}
			noDrops(t, "backup", backup.stats())
			if !v.v6 {
				lastIsPriorityZero(t, obs, l.addr4(0).String())
			}
		})
	}
}

// timedHandover starts a kernel-timed master (priority 200, helper env
// env) on member 0 of l and a seesaw backup (100) on member 1, checks that
// the backup stays Backup for longer than Master_Down_Interval, then shuts
// the master down gracefully; it returns the master's stats and the backup.
func timedHandover(t *testing.T, l *lan, v variant, env ...string) (Stats, *proc) {
	t.Helper()
	mcfg := nodeCfg(l, 0, 200, v)
	mcfg.KernelTimedAdverts = true
	master := startHelper(t, l.nss[0], "node", mcfg, env...)
	master.wait("event", "master", 5*time.Second)
	backup := startHelper(t, l.nss[1], "node", nodeCfg(l, 1, 100, v))
	backup.wait("event", "backup", 5*time.Second)
	backup.quiet(4 * netnsInterval)
	return master.stop(), backup
}

// lastIsPriorityZero reads the observer until it has been quiet for 3
// intervals and checks that src's last advert had priority 0.
func lastIsPriorityZero(t *testing.T, obs *proc, src string) {
	t.Helper()
	if ads := advertsOf(obs, src); len(ads) == 0 || ads[len(ads)-1].Prio != 0 {
		t.Fatalf("the observer saw %s from %s; want the last to be priority 0", advertTail(ads, 6), src)
	}
}

// advertsOf reads the observer until it has been quiet for 3 intervals
// (at most 10 s) and returns src's adverts in the order they arrived.
func advertsOf(obs *proc, src string) []helperMsg {
	var ads []helperMsg
	bound := time.After(10 * time.Second)
	quiet := time.NewTimer(3 * netnsInterval)
	defer quiet.Stop()
	for {
		select {
		case m := <-obs.msgs:
			if m.Kind == "advert" && m.Src == src {
				ads = append(ads, m)
				quiet.Reset(3 * netnsInterval)
			}
		case <-quiet.C:
			return ads
		case <-bound:
			return ads
		}
	}
}

// advertTail describes the last n of ads: each one's priority and how long
// after the one before it arrived.
func advertTail(ads []helperMsg, n int) string {
	if len(ads) == 0 {
		return "no adverts"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d adverts, the last ones:", len(ads))
	for i := max(0, len(ads)-n); i < len(ads); i++ {
		fmt.Fprintf(&b, " priority %d", ads[i].Prio)
		if i > 0 {
			fmt.Fprintf(&b, " (+%v)", time.Duration(ads[i].Mono-ads[i-1].Mono).Round(time.Millisecond))
		}
	}
	return b.String()
}

// TestNetnsKernelTimedQdisc checks the qdisc detection on the real kernel:
// with fq on the interface the master queues its adverts in the kernel;
// on a kernel without fq (tc refuses it) it falls back to the default
// sender (DefaultAdvertSender) and still advertises.
func TestNetnsKernelTimedQdisc(t *testing.T) {
	requireNetns(t, "tc")
	l := newLAN(t, 2)
	out, tcErr := exec.Command("ip", "netns", "exec", l.nss[0], "tc", "qdisc", "replace", "dev", "eth0", "root", "fq").CombinedOutput()
	st, _ := timedHandover(t, l, variants[0])
	switch {
	case tcErr == nil && (st.AdvertTiming != TimingKernel || st.TimedSent == 0):
		t.Fatalf("fq on eth0, but adverts were timed on %q, %d of %d ahead", st.AdvertTiming, st.TimedSent, st.Sent)
	case tcErr != nil && st.AdvertTiming != DefaultAdvertSender:
		t.Fatalf("no fq on eth0 (tc: %v: %s), but adverts were timed on %q, want the default sender %q", tcErr, out, st.AdvertTiming, DefaultAdvertSender)
	case tcErr != nil:
		t.Logf("this kernel has no fq qdisc (tc: %s); checked the fallback to the timing thread: %d adverts", out, st.Sent)
	}
	if st.SendErrors != 0 {
		t.Fatalf("%d send errors", st.SendErrors)
	}
}
