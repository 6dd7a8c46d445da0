package kerneltest

import (
	"encoding/binary"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/seesaw-lb/seesaw/kernel"
)

// IPVS is a stateful in-process IPVS kernel that speaks the kernel's generic
// netlink messages, with the kernel's semantics and errnos: EEXIST, ESRCH,
// ENOENT (unknown scheduler or PE, missing destination), EINVAL (missing
// attribute, IPv6 netmask outside 1..128, GUE without port), ERANGE (weight
// ≥ 2^31, lower threshold above upper), EAFNOSUPPORT. Destinations list
// newest first, HASHED is set on readback, flags merge with their mask, the
// PE is cleared when a SET omits it, fwmark services are reported without
// protocol, address and port. Clients from Dial share the fake's table, like
// sockets in one network namespace. Safe for concurrent use.
type IPVS struct {
	mu       sync.Mutex
	services []*fakeService // insertion order (the kernel's is hash order)
	unloaded bool
	noIPv6   bool
	timeouts kernel.Timeouts
	daemons  map[kernel.DaemonState]kernel.Daemon
	loseAcks int
	// stopUnrun makes the next sync-daemon stop return EINTR (no ack).
	stopUnrun  bool
	schedulers []string
	sends      atomic.Int64  // sendmsg calls on every socket
	sockets    atomic.Int64  // sockets opened
	stall      chan struct{} // non-nil while stalled; closed by Resume
	waiting    atomic.Int64  // receives waiting in a stall
}

type fakeService struct {
	key     kernel.ServiceKey
	sched   string
	pe      string
	flags   uint32
	timeout uint32
	netmask [4]byte
	dests   []*fakeDest // newest first
}

type fakeDest struct {
	key               kernel.DestinationKey
	fwd, weight       uint32
	uth, lth          uint32
	tunType           uint8
	tunPort, tunFlags uint16
}

// fakeFamilyID is the generic netlink family ID the fake answers to.
const fakeFamilyID = 0x1d

// NewIPVS returns an empty fake kernel with every scheduler, the sip PE and
// both families available.
func NewIPVS() *IPVS {
	return &IPVS{
		timeouts:   kernel.Timeouts{TCP: 900, TCPFin: 120, UDP: 300},
		daemons:    map[kernel.DaemonState]kernel.Daemon{},
		schedulers: kernel.Schedulers(),
	}
}

// Dial returns a Client backed by the fake.
func (f *IPVS) Dial(o kernel.Options) (*kernel.Client, error) {
	return kernel.NewClient(func() (kernel.Socket, error) {
		f.sockets.Add(1)
		return &fakeTransport{f: f, deadlineSet: make(chan struct{})}, nil
	}, o)
}

// Sockets returns how many sockets the fake's clients have opened, counting
// the extra sockets of parallel dumps.
func (f *IPVS) Sockets() int { return int(f.sockets.Load()) }

// Unload makes the fake behave as a kernel without the ip_vs module: the
// IPVS family cannot be resolved.
func (f *IPVS) Unload() { f.mu.Lock(); f.unloaded = true; f.mu.Unlock() }

// DisableIPv6 makes the fake reject IPv6 services and destinations with
// EAFNOSUPPORT, as a kernel booted with ipv6.disable=1 does.
func (f *IPVS) DisableIPv6() { f.mu.Lock(); f.noIPv6 = true; f.mu.Unlock() }

// LoseAcks makes the fake drop the next n acknowledgements and report
// ENOBUFS on the following receive, as a kernel whose socket receive queue
// overflowed. The requests themselves are still applied.
func (f *IPVS) LoseAcks(n int) { f.mu.Lock(); f.loseAcks = n; f.mu.Unlock() }

// StopBeforeRun makes the next stop of a running sync daemon behave as the
// kernel's stop of a sync thread that had not run yet: the daemon stops,
// kthread_stop returns -EINTR, and genetlink sends no acknowledgement.
func (f *IPVS) StopBeforeRun() { f.mu.Lock(); f.stopUnrun = true; f.mu.Unlock() }

func (f *IPVS) afValid(af uint16) bool {
	return af == uint16(kernel.IPv4) || (af == uint16(kernel.IPv6) && !f.noIPv6)
}

func (f *IPVS) find(k kernel.ServiceKey) (int, *fakeService) {
	for i, s := range f.services {
		if s.key == k {
			return i, s
		}
	}
	return -1, nil
}

func (s *fakeService) findDest(k kernel.DestinationKey) (int, *fakeDest) {
	for i, d := range s.dests {
		if d.key == k {
			return i, d
		}
	}
	return -1, nil
}

// setService applies a full SERVICE request to s (new or existing), as
// ip_vs_add_service / ip_vs_edit_service do.
func (f *IPVS) setService(s *fakeService, r fakeSvcReq) syscall.Errno {
	if r.sched != "none" && !slices.Contains(f.schedulers, r.sched) {
		return syscall.ENOENT
	}
	if r.pe != "" && r.pe != "sip" {
		return syscall.ENOENT
	}
	if r.af == uint16(kernel.IPv6) {
		if plen := binary.NativeEndian.Uint32(r.netmask[:]); plen < 1 || plen > 128 {
			return syscall.EINVAL
		}
	}
	s.sched, s.pe, s.timeout, s.netmask = r.sched, r.pe, r.timeout, r.netmask
	s.flags = (s.flags &^ r.mask) | (r.flags & r.mask)
	return 0
}

// checkDest applies the range checks shared by NEW_DEST and SET_DEST.
func checkDest(r fakeDestReq, f kernel.Family) syscall.Errno {
	if r.uth > kernel.MaxThreshold || r.lth > kernel.MaxThreshold {
		return syscall.EINVAL
	}
	if int32(r.weight) < 0 || r.lth > r.uth {
		return syscall.ERANGE
	}
	if r.tunType == uint8(kernel.TunnelGUE) && r.tunPort == 0 {
		return syscall.EINVAL
	}
	a := r.addrIn(f)
	if a.IsMulticast() || a.IsUnspecified() || a.IsLinkLocalUnicast() || a == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
		return syscall.EINVAL
	}
	return 0
}

func (d *fakeDest) set(r fakeDestReq) {
	d.fwd, d.weight, d.uth, d.lth = r.fwd, r.weight, r.uth, r.lth
	if d.key.Addr.IsLoopback() {
		d.fwd = uint32(kernel.ForwardLocal) // the kernel marks local addresses
	}
	d.tunType, d.tunPort, d.tunFlags = r.tunType, r.tunPort, r.tunFlags
}

// DialSocket returns a new socket on the fake, for a Client made with
// kernel.NewClient over a wrapping Socket.
func (f *IPVS) DialSocket() (kernel.Socket, error) {
	f.sockets.Add(1)
	return &fakeTransport{f: f, deadlineSet: make(chan struct{})}, nil
}
