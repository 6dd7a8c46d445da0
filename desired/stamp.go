package desired

import (
	"os"
	"time"
)

// fileStamp is a file's identity as Loader compares it between loads.
type fileStamp struct {
	ino   uint64 // 0 where the system has no inode numbers
	size  int64
	mtime time.Time
}

// stampOf returns the identity of the file path points to.
func stampOf(path string) (fileStamp, bool) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{}, false
	}
	return fileStamp{ino: inodeOf(fi), size: fi.Size(), mtime: fi.ModTime()}, true
}
