package desired

import (
	"os"
	"time"
)

// racyWindow is how recent a file's modification or change time may be,
// against the start of the read that saw it, before its stamp stops
// vouching for its content. Filesystems keep timestamps in ticks (the
// kernel's coarse clock, a few ms; 1 s on ext3 and HFS+, 2 s on FAT), so a
// rewrite in the same tick as the read, keeping the size, leaves the stamp
// as it was; a file whose times are older than the read by more than the
// coarsest tick cannot be rewritten without its times moving.
const racyWindow = 2 * time.Second

// fileStamp is what stat says of a file: which file (device and inode),
// its type, size, and modification and change times in nanoseconds.
type fileStamp struct {
	dev, ino     uint64
	mode         uint32
	size         int64
	mtime, ctime int64
}

// stamped is a read's stamp and whether the stamp vouches for the content
// read (trusted: both times older than the read's start by racyWindow).
type stamped struct {
	stamp   fileStamp
	trusted bool
}

// stampRead is the stamp of a read of n bytes that began at start, from
// the opened file's stat; it vouches for nothing without one (the read
// failed, or this system's stat gives no inode or change time) or when the
// file's size moved during the read.
func stampRead(fi os.FileInfo, n int, start time.Time) stamped {
	if fi == nil {
		return stamped{}
	}
	st, ok := stampOf(fi)
	if !ok || st.size != int64(n) {
		return stamped{}
	}
	edge := start.Add(-racyWindow).UnixNano()
	return stamped{stamp: st, trusted: st.mtime < edge && st.ctime < edge}
}

// unchangedSince reports whether path (following symlinks) still has the
// trusted stamp s, within limit bytes: its content is then what the read
// that took s returned.
func unchangedSince(path string, s stamped, limit int64) bool {
	if !s.trusted || s.stamp.size > limit {
		return false
	}
	fi, err := os.Stat(path)
	if err != nil {
		return false
	}
	now, ok := stampOf(fi)
	return ok && now == s.stamp
}
