//go:build !unix

package desired

import "io/fs"

// inodeOf returns 0: this system has no inode numbers in fs.FileInfo, so
// Loader compares size and modification time only.
func inodeOf(fs.FileInfo) uint64 { return 0 }
