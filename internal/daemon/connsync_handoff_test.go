package daemon

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel/kerneltest"
)

// loggedHandoff is a connection handoff that records its start and end
// in log as "<name> handoff start" and "<name> handoff end", and holds
// until hold returns true or for at most d.
func loggedHandoff(log *haLog, name string, d time.Duration, hold func() bool) func(*deps, *kerneltest.Addresses) {
	return func(dp *deps, _ *kerneltest.Addresses) {
		dp.handoff = func(desired.Config, desired.SyncDaemon) (int, int, error) {
			log.add("%s handoff start", name)
			for end := time.Now().Add(d); hold() && time.Now().Before(end); {
				time.Sleep(time.Millisecond)
			}
			log.add("%s handoff end", name)
			return 1, 0, nil
		}
	}
}

// startHandoffPair starts lb1 (priority 150) with handoff edit and lb2
// (100), and waits until lb1 is master with the VIP and lb2 backup.
func startHandoffPair(t *testing.T, edit func(*haLog) func(*deps, *kerneltest.Addresses)) (*haLog, *haNode, *haNode) {
	log := &haLog{}
	seg := newHASegment(log)
	lb1 := startHANodeWith(t, seg, log, "lb1", "203.0.113.1", "priority: 150, preempt: false", edit(log))
	eventually(t, "lb1 master with the VIP", func() bool { return vrrpState(t, lb1.socket) == "master" && lb1.holds(t) })
	lb2 := startHANode(t, seg, log, "lb2", "203.0.113.2", "priority: 100, preempt: false")
	eventually(t, "lb2 backup", func() bool { return vrrpState(t, lb2.socket) == "backup" })
	return log, lb1, lb2
}

// TestMasterStopSendsPriorityZeroBesideTheHandoff: a stopping master
// sends its priority-0 advert right after its VIPs are gone, while its
// connections go to the peer; the process exits only after that handoff.
func TestMasterStopSendsPriorityZeroBesideTheHandoff(t *testing.T) {
	var log *haLog
	hasZero := func() bool { return slices.Contains(log.since(0), "lb1 advert 0") }
	log, lb1, lb2 := startHandoffPair(t, func(l *haLog) func(*deps, *kerneltest.Addresses) {
		log = l
		return loggedHandoff(l, "lb1", 2*time.Second, func() bool { return !hasZero() })
	})
	from := log.len()
	if code := lb1.stop(); code != exitOK {
		t.Fatalf("exit code %d", code)
	}
	log.add("lb1 exited")
	eventually(t, "lb2 to take over", func() bool { return vrrpState(t, lb2.socket) == "master" && lb2.holds(t) })
	lines := log.since(from)
	checkHandover(t, lines)
	at := func(s string) int { return slices.Index(lines, s) }
	del, start, zero, end, exit := at("lb1 delete 192.0.2.10/32"), at("lb1 handoff start"), at("lb1 advert 0"), at("lb1 handoff end"), at("lb1 exited")
	if !(del >= 0 && del < start && del < zero && zero < end && end < exit) {
		t.Fatalf("want delete before the handoff's start and the advert, advert 0 < handoff end < exit, got delete %d, start %d, advert 0 %d, end %d, exit %d in\n%s",
			del, start, zero, end, exit, strings.Join(lines, "\n"))
	}
}

// TestMasterStopWaitsForAStuckHandoffAtMostItsBound: a handoff that never
// ends holds the exit for handoffExitBound, not longer.
func TestMasterStopWaitsForAStuckHandoffAtMostItsBound(t *testing.T) {
	ended := make(chan struct{})
	t.Cleanup(func() { close(ended) })
	stuck := func() bool {
		select {
		case <-ended:
			return false
		default:
			return true
		}
	}
	log, lb1, _ := startHandoffPair(t, func(l *haLog) func(*deps, *kerneltest.Addresses) {
		return loggedHandoff(l, "lb1", time.Minute, stuck)
	})
	from := log.len()
	start := time.Now()
	if code := lb1.stop(); code != exitOK {
		t.Fatalf("exit code %d", code)
	}
	took := time.Since(start)
	lines := log.since(from)
	if !slices.Contains(lines, "lb1 advert 0") || slices.Contains(lines, "lb1 handoff end") {
		t.Fatalf("a stuck handoff: want the advert sent and the handoff still running at the exit, got\n%s", strings.Join(lines, "\n"))
	}
	if took < handoffExitBound || took > handoffExitBound+3*time.Second {
		t.Fatalf("the stop took %v with a stuck handoff, want about %v", took, handoffExitBound)
	}
}

// TestPreemptedMasterHandsOffBeforeItsAdvert: a master preempted by a
// better node (which takes the VIPs as soon as it reads the handoff
// advert) hands its connections over before that advert.
func TestPreemptedMasterHandsOffBeforeItsAdvert(t *testing.T) {
	log := &haLog{}
	seg := newHASegment(log)
	lb2 := startHANodeWith(t, seg, log, "lb2", "203.0.113.2", "priority: 100, preempt: true",
		loggedHandoff(log, "lb2", 100*time.Millisecond, func() bool { return true }))
	eventually(t, "lb2 master with the VIP", func() bool { return vrrpState(t, lb2.socket) == "master" && lb2.holds(t) })
	from := log.len()
	lb1 := startHANode(t, seg, log, "lb1", "203.0.113.1", "priority: 150, preempt: true")
	eventually(t, "lb1 to preempt", func() bool { return vrrpState(t, lb1.socket) == "master" && lb1.holds(t) })
	lines := log.since(from)
	at := func(s string) int { return slices.Index(lines, s) }
	del, end, zero, add := at("lb2 delete 192.0.2.10/32"), at("lb2 handoff end"), at("lb2 advert 0"), at("lb1 add 192.0.2.10/32")
	if !(del >= 0 && del < end && end < zero && zero < add) {
		t.Fatalf("want lb2 delete < handoff end < advert 0 < lb1 add, got %d %d %d %d in\n%s", del, end, zero, add, strings.Join(lines, "\n"))
	}
}
