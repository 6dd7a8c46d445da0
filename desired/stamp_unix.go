//go:build unix

package desired

import (
	"io/fs"
	"syscall"
)

// inodeOf returns the inode number of fi (0 when unknown).
func inodeOf(fi fs.FileInfo) uint64 {
	if sys, ok := fi.Sys().(*syscall.Stat_t); ok {
		return sys.Ino
	}
	return 0
}
