package vrrp

import (
	"encoding/binary"
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestAppendTxtime(t *testing.T) {
	prefix := []byte{1, 2, 3, 4, 5, 6, 7, 8}
	const ns = int64(1234567890123)
	oob := appendTxtime(append([]byte{}, prefix...), ns)
	if string(oob[:8]) != string(prefix) {
		t.Fatalf("prefix overwritten: % x", oob[:8])
	}
	msgs, err := unix.ParseSocketControlMessage(oob[8:])
	if err != nil {
		t.Fatalf("parse SCM_TXTIME: %v", err)
	}
	if len(msgs) != 1 {
		t.Fatalf("%d control messages, want 1", len(msgs))
	}
	m := msgs[0]
	if m.Header.Level != unix.SOL_SOCKET || m.Header.Type != unix.SCM_TXTIME || len(m.Data) != 8 {
		t.Fatalf("header level %d type %d len %d, want SOL_SOCKET SCM_TXTIME 8", m.Header.Level, m.Header.Type, len(m.Data))
	}
	if got := int64(binary.NativeEndian.Uint64(m.Data)); got != ns {
		t.Fatalf("txtime %d, want %d", got, ns)
	}
}

func TestMonotonicAt(t *testing.T) {
	var ts unix.Timespec
	unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	before := ts.Nano()
	got := monotonicAt(time.Now().Add(time.Second))
	unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	after := ts.Nano()
	if got < before+int64(time.Second)-int64(time.Millisecond) || got > after+int64(time.Second) {
		t.Fatalf("monotonicAt(now+1s) = %d, want within [%d, %d]", got, before+int64(time.Second), after+int64(time.Second))
	}
}

func TestEnableTxtime(t *testing.T) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0)
	if err != nil {
		t.Fatalf("socket: %v", err)
	}
	defer unix.Close(fd)
	if err := enableTxtime(fd); err != nil {
		t.Fatalf("enable SO_TXTIME on a UDP socket: %v", err)
	}
	if err := enableTxtime(-1); err == nil {
		t.Fatal("SO_TXTIME on fd -1 succeeded")
	}
}

// TestMonotonicAtNeverEarly: the converted time is never before the
// monotonic time at was taken plus its distance, over many reads with the
// goroutine yielding between them (a preemption between monotonicAt's
// clock reads must make it late, not early).
func TestMonotonicAtNeverEarly(t *testing.T) {
	for i := range 20000 {
		mono0 := monoRead()
		at := time.Now().Add(time.Millisecond)
		if i%16 == 0 {
			runtime.Gosched()
		}
		if got := monotonicAt(at); got < mono0+int64(time.Millisecond) {
			t.Fatalf("read %d: monotonicAt is %d ns early", i, mono0+int64(time.Millisecond)-got)
		}
	}
}
