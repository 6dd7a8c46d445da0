package vrrp

import (
	"slices"
	"syscall"
	"testing"
	"time"
)

// processCfg is nodeCfg with the advert sender process.
func processCfg(l *lan, i int, prio uint8, v variant) Config {
	c := nodeCfg(l, i, prio, v)
	c.AdvertSender = TimingProcess
	return c
}

// senderOf returns the pid of the master helper's advert sender process.
func senderOf(t *testing.T, master *proc) int {
	t.Helper()
	kids := senderChildren(t, master.cmd.Process.Pid)
	if len(kids) != 1 {
		t.Fatalf("master %d has advert sender processes %v, want one", master.cmd.Process.Pid, kids)
	}
	return kids[0]
}

// TestNetnsSenderProcess runs a master on the advert sender process at
// SCHED_FIFO priority 10 next to a seesaw backup and an observer, in
// every variant: the sender process, not the node's, has the one
// SCHED_FIFO thread; the backup keeps hearing the master; every advert
// went through the process without an error; on the IPv4 variants the
// observer's kernel receive times are on the interval's grid (onInterval);
// and the graceful shutdown hands over with the priority-0 advert as the
// last one sent, before the process exited.
func TestNetnsSenderProcess(t *testing.T) {
	requireNetns(t)
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			l := newLAN(t, 3)
			obs := startHelper(t, l.nss[2], "observe", nodeCfg(l, 2, 1, variants[0]))
			mcfg := processCfg(l, 0, 200, v)
			mcfg.RealtimePriority = 10
			master := startHelper(t, l.nss[0], "node", mcfg)
			master.wait("event", "master", 5*time.Second)
			sender := senderOf(t, master)
			if fifo := fifoThreads(t, sender); fifo != 1 {
				t.Fatalf("sender process has %d SCHED_FIFO threads, want 1", fifo)
			}
			if fifo := fifoThreads(t, master.cmd.Process.Pid); fifo != 0 {
				t.Fatalf("master's own process has %d SCHED_FIFO threads, want 0", fifo)
			}
			backup := startHelper(t, l.nss[1], "node", nodeCfg(l, 1, 100, v))
			backup.wait("event", "backup", 5*time.Second)
			if !v.v6 {
				onInterval(t, collectAdverts(t, obs, l.addr4(0).String(), 9))
			}
			backup.quiet(4 * netnsInterval)
			st := master.stop()
			if st.AdvertTiming != TimingProcess || st.TimedSent == 0 || st.SendErrors != 0 || st.SenderLost != 0 {
				t.Fatalf("master timed adverts on %q, %d through it, %d errors, lost %d; want the process, some, none, none",
					st.AdvertTiming, st.TimedSent, st.SendErrors, st.SenderLost)
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

// TestNetnsSenderProcessKeepalived: keepalived as the backup of a seesaw
// master on the sender process, in every variant: it stays BACKUP,
// takes over from the master's priority-0 advert, and logs no rejected
// packet.
func TestNetnsSenderProcessKeepalived(t *testing.T) {
	requireKeepalived(t)
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			l := newLAN(t, 2)
			ss := startHelper(t, l.nss[0], "node", processCfg(l, 0, 200, v))
			ss.wait("event", "master", 5*time.Second)
			ka := startKeepalived(t, l.nss[1], nodeCfg(l, 1, 100, v), l.primary(1, v))
			ka.waitState("BACKUP", 5*time.Second)
			ka.quiet(6 * netnsInterval)
			st := ss.stop()
			if st.AdvertTiming != TimingProcess || st.TimedSent == 0 {
				t.Fatalf("seesaw timed adverts on %q, %d through it; want the process", st.AdvertTiming, st.TimedSent)
			}
			noDrops(t, "seesaw", st)
			ka.waitState("MASTER", 2*time.Second)
			ka.stop()
			ka.noInvalid()
		})
	}
}

// TestNetnsSenderLeaseExpires: a master whose node process is stopped
// (SIGSTOP: it hands no more adverts) is advertised by its sender process
// for at most leaseIntervals intervals, then the process falls silent and
// the backup takes over from the silence. Continued, the node finds its
// lease expired in the counters.
func TestNetnsSenderLeaseExpires(t *testing.T) {
	requireNetns(t)
	l := newLAN(t, 3)
	obs := startHelper(t, l.nss[2], "observe", nodeCfg(l, 2, 1, variants[0]))
	master := startHelper(t, l.nss[0], "node", processCfg(l, 0, 200, variants[0]))
	master.wait("event", "master", 5*time.Second)
	backup := startHelper(t, l.nss[1], "node", nodeCfg(l, 1, 100, variants[0]))
	backup.wait("event", "backup", 5*time.Second)
	collectAdverts(t, obs, l.addr4(0).String(), 3)
	master.signal(syscall.SIGSTOP)
	stopped := time.Now()
	e := backup.wait("event", "master", 5*time.Second)
	took := time.Since(stopped)
	if e.Reason != string(ReasonMasterDown) {
		t.Fatalf("backup took over for %q, want %q", e.Reason, ReasonMasterDown)
	}
	// At most the lease (two intervals, plus the one in flight) and the
	// backup's Master_Down_Interval (3 intervals and Skew_Time).
	if max := (leaseIntervals+1+3+1)*netnsInterval + 200*time.Millisecond; took > max {
		t.Fatalf("backup took over %v after the node stopped, want within %v", took, max)
	}
	master.signal(syscall.SIGCONT)
	time.Sleep(100 * time.Millisecond) // the node reads the process's counters
	if st := master.stats(); st.LeaseExpiries == 0 || st.AdvertsRepeated == 0 {
		t.Fatalf("master's sender: %d lease expiries, %d repeats; want some of both", st.LeaseExpiries, st.AdvertsRepeated)
	}
}

// TestNetnsSenderKilledFallsBack: kill -9 of a master's sender process
// changes nothing for its backup (at most one advert missed): the node
// counts the loss and sends from the timing thread.
func TestNetnsSenderKilledFallsBack(t *testing.T) {
	requireNetns(t)
	l := newLAN(t, 2)
	master := startHelper(t, l.nss[0], "node", processCfg(l, 0, 200, variants[0]))
	master.wait("event", "master", 5*time.Second)
	backup := startHelper(t, l.nss[1], "node", nodeCfg(l, 1, 100, variants[0]))
	backup.wait("event", "backup", 5*time.Second)
	if err := syscall.Kill(senderOf(t, master), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	backup.quiet(6 * netnsInterval)
	st := master.stats()
	if st.SenderLost != 1 || st.AdvertTiming != TimingThread {
		t.Fatalf("after the kill: lost %d, timing on %q; want 1 and the thread", st.SenderLost, st.AdvertTiming)
	}
	if kids := senderChildren(t, master.cmd.Process.Pid); len(kids) != 0 {
		t.Fatalf("sender processes %v after the kill, want none", kids)
	}
}

// onInterval checks kernel receive times of consecutive adverts: the
// median spacing is the interval within 10 ms, and the span of them all
// is the whole number of intervals within 30 ms. Adverts are sent on a
// fixed grid, so a single late one (a saturated host) moves neither,
// while a wrong interval, a drifting grid or a missed advert does.
func onInterval(t *testing.T, at []int64) {
	t.Helper()
	var ds []time.Duration
	for i := 1; i < len(at); i++ {
		ds = append(ds, time.Duration(at[i]-at[i-1]))
	}
	slices.Sort(ds)
	span := time.Duration(at[len(at)-1] - at[0])
	want := time.Duration(len(ds)) * netnsInterval
	if med := ds[len(ds)/2]; med < netnsInterval-10*time.Millisecond || med > netnsInterval+10*time.Millisecond ||
		span < want-30*time.Millisecond || span > want+30*time.Millisecond {
		t.Errorf("adverts %v apart (sorted), spanning %v; want %v apart, spanning %v", ds, span, netnsInterval, want)
	}
}
