package vrrp

import "golang.org/x/sys/unix"

// runDelay reads the time the calling thread has spent runnable but not
// running (the second field of /proc/thread-self/schedstat), so that the
// timing thread can tell the host scheduler's share of an advert's
// lateness from the Go runtime's. The thread opens it once, after
// LockOSThread; -1 when the kernel has no schedstat.
type runDelay struct {
	fd  int
	buf [64]byte
}

func openRunDelay() *runDelay {
	fd, err := unix.Open("/proc/thread-self/schedstat", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		fd = -1
	}
	return &runDelay{fd: fd}
}

// read returns the run-queue wait so far in nanoseconds (0 if unknown).
// It allocates nothing: the advert sender process reads it around every
// send with its garbage collector off.
func (r *runDelay) read() int64 {
	if r.fd < 0 {
		return 0
	}
	n, err := unix.Pread(r.fd, r.buf[:], 0)
	if err != nil || n <= 0 {
		return 0
	}
	return secondField(r.buf[:n])
}

// secondField parses the second space-separated field of b as a
// non-negative decimal number (0 if there is none).
func secondField(b []byte) int64 {
	i := 0
	for i < len(b) && b[i] != ' ' {
		i++
	}
	for i < len(b) && b[i] == ' ' {
		i++
	}
	var v int64
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		v = v*10 + int64(b[i]-'0')
	}
	return v
}

func (r *runDelay) close() {
	if r.fd >= 0 {
		unix.Close(r.fd)
	}
}
