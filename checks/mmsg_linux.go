package checks

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// mmsgVec is a reusable vector of datagrams for one sendmmsg or recvmmsg:
// the headers, one buffer each, a socket address each and, for sends, an
// optional control message each. It is allocated once per socket and
// direction, so a batch allocates nothing.
type mmsgVec struct {
	hdrs  []unix.Mmsghdr
	iovs  []unix.Iovec
	names []unix.RawSockaddrInet6 // large enough for an IPv4 address too
	ctrl  []byte                  // ctrlSpace bytes per datagram (sends only)
	bufs  [][]byte                // receive buffers (receives only)
}

// ctrlSpace is the control room per datagram: one IP_PKTINFO message.
var ctrlSpace = unix.CmsgSpace(unix.SizeofInet4Pktinfo)

// newMmsgVec makes a vector of n datagrams: for sends with bufLen 0, else
// for receives into buffers of bufLen bytes.
func newMmsgVec(n, bufLen int) *mmsgVec {
	v := &mmsgVec{hdrs: make([]unix.Mmsghdr, n), iovs: make([]unix.Iovec, n), names: make([]unix.RawSockaddrInet6, n)}
	if bufLen == 0 {
		v.ctrl = make([]byte, n*ctrlSpace)
		return v
	}
	v.bufs = make([][]byte, n)
	for i := range v.bufs {
		v.bufs[i] = make([]byte, bufLen)
	}
	return v
}

// setSend points datagram i at pkt for dst (an IPv6 address, or with v6
// false an IPv4 address in its first 4 bytes, as probeKey holds them),
// sent from src4 (IP_PKTINFO) unless it is nil.
func (v *mmsgVec) setSend(i int, pkt []byte, dst *[16]byte, v6 bool, src4 *[4]byte) {
	h := &v.hdrs[i].Hdr
	*h = unix.Msghdr{}
	v.iovs[i].Base = &pkt[0]
	v.iovs[i].SetLen(len(pkt))
	h.Iov = &v.iovs[i]
	h.SetIovlen(1)
	name := &v.names[i]
	if v6 {
		*name = unix.RawSockaddrInet6{Family: unix.AF_INET6, Addr: *dst}
		h.Namelen = unix.SizeofSockaddrInet6
	} else {
		sa4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(name))
		*sa4 = unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: [4]byte(dst[:4])}
		h.Namelen = unix.SizeofSockaddrInet4
	}
	h.Name = (*byte)(unsafe.Pointer(name))
	if src4 != nil {
		c := v.ctrl[i*ctrlSpace : (i+1)*ctrlSpace]
		cm := (*unix.Cmsghdr)(unsafe.Pointer(&c[0]))
		cm.Level, cm.Type = unix.IPPROTO_IP, unix.IP_PKTINFO
		cm.SetLen(unix.CmsgLen(unix.SizeofInet4Pktinfo))
		pi := (*unix.Inet4Pktinfo)(unsafe.Pointer(&c[unix.CmsgLen(0)]))
		*pi = unix.Inet4Pktinfo{Spec_dst: *src4}
		h.Control = &c[0]
		h.SetControllen(ctrlSpace)
	}
}

// armRecv prepares every datagram of v for a receive.
func (v *mmsgVec) armRecv() {
	for i := range v.hdrs {
		h := &v.hdrs[i].Hdr
		*h = unix.Msghdr{}
		v.iovs[i].Base = &v.bufs[i][0]
		v.iovs[i].SetLen(len(v.bufs[i]))
		h.Iov = &v.iovs[i]
		h.SetIovlen(1)
		h.Name = (*byte)(unsafe.Pointer(&v.names[i]))
		h.Namelen = unix.SizeofSockaddrInet6
	}
}

// received returns datagram i of a receive: its bytes (truncated to the
// buffer) and its source address bytes (4 or 16).
func (v *mmsgVec) received(i int) ([]byte, []byte) {
	n := int(v.hdrs[i].Len)
	b := v.bufs[i][:min(n, len(v.bufs[i]))]
	switch v.names[i].Family {
	case unix.AF_INET6:
		return b, v.names[i].Addr[:]
	case unix.AF_INET:
		sa4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(&v.names[i]))
		return b, sa4.Addr[:]
	}
	return b, nil
}

// sendmmsg sends hdrs on fd without entering the Go scheduler's syscall
// state: a non-blocking send returns in microseconds, and announcing it
// would let the runtime hand this goroutine's processor to another thread
// (one more wake-up per batch).
func sendmmsg(fd uintptr, hdrs []unix.Mmsghdr) (int, unix.Errno) {
	n, _, e := unix.RawSyscall6(unix.SYS_SENDMMSG, fd, uintptr(unsafe.Pointer(&hdrs[0])), uintptr(len(hdrs)), 0, 0, 0)
	return int(n), e
}

// recvmmsg receives into hdrs from fd without waiting (MSG_DONTWAIT),
// without entering the syscall state either.
func recvmmsg(fd uintptr, hdrs []unix.Mmsghdr) (int, unix.Errno) {
	n, _, e := unix.RawSyscall6(unix.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&hdrs[0])), uintptr(len(hdrs)), unix.MSG_DONTWAIT, 0, 0)
	return int(n), e
}
