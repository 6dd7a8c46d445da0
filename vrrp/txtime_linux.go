package vrrp

import (
	"encoding/binary"
	"fmt"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// sockTxtime is struct sock_txtime: the clock SCM_TXTIME values are on.
type sockTxtime struct {
	clockid int32
	flags   uint32
}

// enableTxtime turns SO_TXTIME on for fd with CLOCK_MONOTONIC, the clock
// the fq qdisc compares departure times with.
func enableTxtime(fd int) error {
	st := sockTxtime{clockid: unix.CLOCK_MONOTONIC}
	_, _, errno := unix.Syscall6(unix.SYS_SETSOCKOPT, uintptr(fd), unix.SOL_SOCKET, unix.SO_TXTIME,
		uintptr(unsafe.Pointer(&st)), unsafe.Sizeof(st), 0)
	if errno != 0 {
		return fmt.Errorf("set SO_TXTIME: %w", errno)
	}
	return nil
}

// appendTxtime appends an SCM_TXTIME control message carrying the departure
// time ns (CLOCK_MONOTONIC nanoseconds) to oob.
func appendTxtime(oob []byte, ns int64) []byte {
	start := len(oob)
	oob = append(oob, make([]byte, unix.CmsgSpace(8))...)
	h := (*unix.Cmsghdr)(unsafe.Pointer(&oob[start]))
	h.Level, h.Type = unix.SOL_SOCKET, unix.SCM_TXTIME
	h.SetLen(unix.CmsgLen(8))
	binary.NativeEndian.PutUint64(oob[start+unix.CmsgLen(0):], uint64(ns))
	return oob
}

// monotonicAt converts at, a time on the time.Now line, to CLOCK_MONOTONIC
// nanoseconds, never earlier than at: the offset between the two clocks
// is read with CLOCK_MONOTONIC after time.Now, so a thread preempted
// between the two reads errs late by the preemption, not early, and the
// read with the smallest such gap of monotonicTries is kept.
func monotonicAt(at time.Time) int64 {
	var best int64
	bestGap := int64(-1)
	for range monotonicTries {
		before := monoRead()
		until := time.Until(at)
		after := monoRead()
		if gap := after - before; bestGap < 0 || gap < bestGap {
			best, bestGap = after+int64(until), gap
		}
		if bestGap <= monotonicGoodGap {
			break
		}
	}
	return best
}

// monotonicTries bounds the reads of monotonicAt; monotonicGoodGap is a
// gap between its two clock reads short enough to stop at.
const (
	monotonicTries   = 4
	monotonicGoodGap = 20_000 // ns
)

// monoRead reads CLOCK_MONOTONIC in nanoseconds.
func monoRead() int64 {
	var ts unix.Timespec
	unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return ts.Nano()
}
