// Package statefile reads and writes the daemon's small state files (the
// manual drain overrides, and any other state that must survive a restart
// or a power cut).
//
// [Write] replaces a file durably: the data goes to a fresh temporary file
// in the same directory (created exclusively, so no existing file or
// symlink is followed), is synced, renamed over the target, and the
// directory is synced, so after a crash the file is either the old or the
// new content, never empty or torn. [Read] reads a file with a size cap and
// refuses anything but a regular file, without following a symlink and
// without blocking on a FIFO. The directory itself may be a symlink (a
// configuration directory often is); only the file's own name must not be.
//
//	if err := statefile.Write(path, b, 0o600); err != nil { ... }
//	b, err := statefile.Read(path, 1<<20)
//
// Callers serialise their own writes of one file: two concurrent Writes of
// the same path never corrupt it, but the last rename wins.
package statefile
