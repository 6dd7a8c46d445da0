package vrrp

import (
	"net/netip"
	"unsafe"

	"golang.org/x/sys/unix"
)

// destMsgs are the prepared sendmsg arguments of an advert's destinations,
// shared by the timing thread and the advert sender process: sending
// fills in each iovec and makes one raw sendmsg, with no allocation.
type destMsgs struct {
	dsts []threadDest // a prefix of all
	all  []threadDest // never reallocated: the msghdrs point into it
	oob  []byte
}

// threadDest is one destination with its prepared sendmsg arguments.
type threadDest struct {
	addr netip.Addr
	sa4  unix.RawSockaddrInet4
	sa6  unix.RawSockaddrInet6
	iov  unix.Iovec
	msg  unix.Msghdr
}

// newDestMsgs prepares the msghdrs for dsts with the control message oob
// (zone: the scope of IPv6 link-local destinations), with room for
// maxSenderDsts destinations at least.
func newDestMsgs(dsts []netip.Addr, zone uint32, oob []byte) *destMsgs {
	m := &destMsgs{all: make([]threadDest, max(len(dsts), maxSenderDsts)), oob: oob}
	m.set(dsts, zone)
	return m
}

// set prepares the msghdrs for dsts in place, without allocating; false
// when there are more than the room newDestMsgs made.
func (m *destMsgs) set(dsts []netip.Addr, zone uint32) bool {
	if len(dsts) > len(m.all) {
		return false
	}
	m.dsts = m.all[:len(dsts)]
	for i, a := range dsts {
		d := &m.dsts[i]
		*d = threadDest{addr: a}
		if a.Is4() {
			d.sa4 = unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: a.As4()}
			d.msg.Name, d.msg.Namelen = (*byte)(unsafe.Pointer(&d.sa4)), unix.SizeofSockaddrInet4
		} else {
			d.sa6 = unix.RawSockaddrInet6{Family: unix.AF_INET6, Addr: a.As16()}
			if a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() {
				d.sa6.Scope_id = zone
			}
			d.msg.Name, d.msg.Namelen = (*byte)(unsafe.Pointer(&d.sa6)), unix.SizeofSockaddrInet6
		}
		d.msg.Iov = &d.iov
		d.msg.SetIovlen(1)
		if len(m.oob) > 0 {
			d.msg.Control = &m.oob[0]
			d.msg.SetControllen(len(m.oob))
		}
	}
	return true
}

// send sends pkts[j] to destination j on fd with raw sendmsg calls
// (MSG_DONTWAIT), never entering the Go scheduler nor allocating. On a
// failure it returns the destination's index and the errno.
func (m *destMsgs) send(fd int, pkts [][]byte) (int, unix.Errno) {
	for j := range m.dsts {
		d, b := &m.dsts[j], pkts[j]
		d.iov.Base = &b[0]
		d.iov.SetLen(len(b))
		_, _, errno := unix.RawSyscall(unix.SYS_SENDMSG, uintptr(fd), uintptr(unsafe.Pointer(&d.msg)), unix.MSG_DONTWAIT)
		if errno != 0 {
			return j, errno
		}
	}
	return 0, 0
}
