package vrrp

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestNetnsTimingThread runs a master on the timing thread at SCHED_FIFO
// priority 10 (the test runs as root, so it gets it) next to a seesaw
// backup and an observer, in every variant: exactly one thread of the
// master is SCHED_FIFO, the backup keeps hearing it for longer than
// Master_Down_Interval, every advert went through the thread without a
// send error, and its graceful shutdown hands over after Skew_Time with
// the priority-0 advert as its last one.
func TestNetnsTimingThread(t *testing.T) {
	requireNetns(t)
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			l := newLAN(t, 3)
			obs := startHelper(t, l.nss[2], "observe", nodeCfg(l, 2, 1, variants[0]))
			mcfg := nodeCfg(l, 0, 200, v)
			mcfg.RealtimePriority, mcfg.AdvertSender = 10, TimingThread
			master := startHelper(t, l.nss[0], "node", mcfg)
			master.wait("event", "master", 5*time.Second)
			if fifo := fifoThreads(t, master.cmd.Process.Pid); fifo != 1 {
				t.Fatalf("master has %d SCHED_FIFO threads, want 1 (the timing thread)", fifo)
			}
			backup := startHelper(t, l.nss[1], "node", nodeCfg(l, 1, 100, v))
			backup.wait("event", "backup", 5*time.Second)
			backup.quiet(4 * netnsInterval)
			st := master.stop()
			if st.AdvertTiming != TimingThread || st.TimedSent == 0 || st.SendErrors != 0 {
				t.Fatalf("master timed adverts on %q, %d of %d through it, %d errors; want the thread, some, none",
					st.AdvertTiming, st.TimedSent, st.Sent, st.SendErrors)
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

// TestNetnsTimingThreadWithoutPriority: a realtime_priority the process
// may not have (RLIMIT_RTPRIO 0 and no CAP_SYS_NICE, as for an
// unprivileged daemon) leaves the thread at normal priority, and the
// master still advertises through it.
func TestNetnsTimingThreadWithoutPriority(t *testing.T) {
	requireNetns(t, "setpriv")
	l := newLAN(t, 2)
	mcfg := nodeCfg(l, 0, 200, variants[0])
	mcfg.RealtimePriority, mcfg.AdvertSender = 10, TimingThread
	master := startHelper(t, l.nss[0], "node", mcfg, "SEESAW_VRRP_DROP_NICE=1")
	master.wait("event", "master", 5*time.Second)
	if fifo := fifoThreads(t, master.cmd.Process.Pid); fifo != 0 {
		t.Fatalf("master without CAP_SYS_NICE has %d SCHED_FIFO threads, want 0", fifo)
	}
	backup := startHelper(t, l.nss[1], "node", nodeCfg(l, 1, 100, variants[0]))
	backup.wait("event", "backup", 5*time.Second)
	backup.quiet(4 * netnsInterval)
	if st := master.stop(); st.AdvertTiming != TimingThread || st.TimedSent == 0 || st.SendErrors != 0 {
		t.Fatalf("master timed adverts on %q, %d through it, %d errors; want the thread, some, none",
			st.AdvertTiming, st.TimedSent, st.SendErrors)
	}
}

// fifoThreads counts the threads of pid in the SCHED_FIFO class.
func fifoThreads(t *testing.T, pid int) int {
	t.Helper()
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		t.Fatal(err)
	}
	var n int
	for _, e := range ents {
		tid, _ := strconv.Atoi(e.Name())
		p, err := threadPolicy(tid)
		if err != nil {
			continue // the thread exited
		}
		if p == unix.SCHED_FIFO {
			n++
		}
	}
	return n
}
