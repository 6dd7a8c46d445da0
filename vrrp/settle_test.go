package vrrp

import (
	"net/netip"
	"sync/atomic"
	"testing"
	"time"
)

// pendingMem is a memConn whose socket reports a waiting datagram while
// waiting is set.
type pendingMem struct {
	*memConn
	waiting atomic.Bool
}

func (p *pendingMem) pending() bool { return p.waiting.Load() }

// settleBackup returns a node on conn whose machine is a Backup that has
// heard a master once, and that machine.
func settleBackup(t *testing.T, conn Conn) (*Node, *Machine, *fakeClock) {
	t.Helper()
	clk := newFakeClock()
	n, err := NewNode(testConfig(100), conn, clk, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := NewMachine(n.cfg.params(conn.Primary()))
	n.apply(m, m.Start(clk.Now()))
	m.Receive(clk.Now(), settleMaster, settleAdvert)
	if m.State() != Backup {
		t.Fatalf("machine is %s after start, want Backup", m.State())
	}
	return n, m, clk
}

var (
	settleMaster = netip.MustParseAddr("192.0.2.9")
	settleAdvert = Advert{VRID: 60, Priority: 200, Interval: 10, Addrs: []netip.Addr{vip4}}
)

// fireAt sets the clock to the machine's deadline and fires the node's
// timer handling, returning how long that took.
func fireAt(n *Node, m *Machine, clk *fakeClock) (time.Time, time.Duration) {
	d := m.Deadline()
	clk.mu.Lock()
	clk.now = d
	clk.mu.Unlock()
	start := time.Now()
	n.fire(m)
	return d, time.Since(start)
}

// TestBackupHandlesTakenAdvertBeforeMasterDown: an advert that arrived
// 1 ms before Master_Down_Timer expires, handed over by the receive
// goroutine but not yet taken by the loop when the timer fires, keeps the
// node Backup and restarts the timer from its arrival.
func TestBackupHandlesTakenAdvertBeforeMasterDown(t *testing.T) {
	n, m, clk := settleBackup(t, (&segment{}).attach("192.0.2.2"))
	arrived := m.Deadline().Add(-time.Millisecond)
	n.rx <- received{src: settleMaster, at: arrived, adv: settleAdvert}
	fireAt(n, m, clk)
	if m.State() != Backup {
		t.Fatalf("node became %s on a timer whose master advert was waiting", m.State())
	}
	if want := arrived.Add(m.MasterDownInterval()); !m.Deadline().Equal(want) {
		t.Fatalf("Master_Down_Timer due %v, want %v (from the advert's arrival)", m.Deadline(), want)
	}
}

// TestBackupWaitsForPendingAdvertBeforeMasterDown: while the socket still
// holds a datagram when the timer fires, the node waits for the receive
// goroutine to hand it over (here 3 ms later) instead of becoming Master.
// The wait's bound is raised here so that a test goroutine the host runs
// late cannot outlast it (TestBackupTakesOverDespiteStuckSocket checks
// the bound).
func TestBackupWaitsForPendingAdvertBeforeMasterDown(t *testing.T) {
	conn := &pendingMem{memConn: (&segment{}).attach("192.0.2.2")}
	n, m, clk := settleBackup(t, conn)
	n.rxSettle = 10 * time.Second
	arrived := m.Deadline().Add(-time.Millisecond)
	conn.waiting.Store(true)
	go func() {
		time.Sleep(3 * time.Millisecond)
		n.inflight.n.Add(1) // taken from the socket, being checked
		conn.waiting.Store(false)
		time.Sleep(time.Millisecond)
		n.rx <- received{src: settleMaster, at: arrived, adv: settleAdvert}
		n.inflight.n.Add(-1)
	}()
	fireAt(n, m, clk)
	if m.State() != Backup {
		t.Fatalf("node became %s while the master's advert was waiting in the socket", m.State())
	}
}

// TestBackupTakesOverDespiteStuckSocket: a socket that keeps reporting a
// datagram nobody hands over delays the takeover by at most rxSettleMax.
func TestBackupTakesOverDespiteStuckSocket(t *testing.T) {
	conn := &pendingMem{memConn: (&segment{}).attach("192.0.2.2")}
	n, m, clk := settleBackup(t, conn)
	conn.waiting.Store(true)
	_, took := fireAt(n, m, clk)
	if m.State() != Master {
		t.Fatalf("node is %s after Master_Down_Timer with no advert, want Master", m.State())
	}
	if took > rxSettleMax+50*time.Millisecond {
		t.Fatalf("takeover waited %v for a stuck socket, want at most about %v", took, rxSettleMax)
	}
}
