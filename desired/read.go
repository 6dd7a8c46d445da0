package desired

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
)

// Limits bound what a load reads. The zero value of a field means its
// default (DefaultLimits).
//
// A node raises them with `node.limits`, found by a bootstrap: the files
// are read within the loader's limits first; when a read was refused for
// its size (ErrTooLarge: a file, a secret or CA file, or the directory's
// total) and the first file defining `node` fit those limits and sets
// larger ones, every file is read once more within them, and never a third
// time. The file defining `node` must therefore fit the loader's limits.
type Limits struct {
	// FileBytes caps each configuration, secret and CA file.
	FileBytes int64
	// DirBytes caps the configuration files of the directory together.
	DirBytes int64
}

// DefaultLimits are the limits Load applies: 16 MiB per file and 256 MiB
// per directory; 10,000 services of 10 backends take about 6 MiB.
var DefaultLimits = Limits{FileBytes: 16 << 20, DirBytes: 256 << 20}

// orDefault fills the zero fields of l from DefaultLimits.
func (l Limits) orDefault() Limits {
	if l.FileBytes <= 0 {
		l.FileBytes = DefaultLimits.FileBytes
	}
	if l.DirBytes <= 0 {
		l.DirBytes = DefaultLimits.DirBytes
	}
	return l
}

// ErrNotRegular is matched (errors.Is) by a read of anything but a regular
// file (or a symlink to one): a directory, a named pipe, a device, a socket.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is matched (errors.Is) by a read of a file over its limit.
var ErrTooLarge = errors.New("file too large")

// readBounded reads the regular file at path (following symlinks), at most
// limit bytes. It never blocks: the file is opened non-blocking, so a named
// pipe swapped in after a check cannot hang the open, and anything but a
// regular file is refused before a byte is read.
func readBounded(path string, limit int64) ([]byte, error) {
	data, _, err := readBoundedStat(path, limit)
	return data, err
}

// readBoundedStat is readBounded that also returns the opened file's stat
// (nil when the read failed).
func readBoundedStat(path string, limit int64) ([]byte, os.FileInfo, error) {
	f, err := openNonblocking(path)
	if err != nil {
		// A socket cannot be opened at all (ENXIO): say what it is instead.
		if fi, serr := os.Stat(path); serr == nil && !fi.Mode().IsRegular() {
			return nil, nil, fmt.Errorf("%w (%s)", ErrNotRegular, typeName(fi.Mode()))
		}
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("%w (%s)", ErrNotRegular, typeName(fi.Mode()))
	}
	if fi.Size() > limit {
		return nil, nil, fmt.Errorf("%w: %s bytes, over the limit of %s", ErrTooLarge, strconv.FormatInt(fi.Size(), 10), sizeName(limit))
	}
	data := make([]byte, 0, fi.Size()+1)
	data, err = readAllInto(data, io.LimitReader(f, limit+1))
	if err != nil {
		return nil, nil, err
	}
	if int64(len(data)) > limit {
		return nil, nil, fmt.Errorf("%w: over the limit of %s", ErrTooLarge, sizeName(limit))
	}
	return data, fi, nil
}

// readAllInto appends everything r yields to buf.
func readAllInto(buf []byte, r io.Reader) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// typeName names the kind of a file that is not regular.
func typeName(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeCharDevice != 0:
		return "character device"
	case m&fs.ModeDevice != 0:
		return "block device"
	case m&fs.ModeSymlink != 0:
		return "symlink"
	}
	return "irregular file"
}

// sizeName renders a byte count in GiB or MiB when it is a whole number
// of them.
func sizeName(n int64) string {
	if n >= 1<<30 && n%(1<<30) == 0 {
		return strconv.FormatInt(n>>30, 10) + " GiB"
	}
	if n >= 1<<20 && n%(1<<20) == 0 {
		return strconv.FormatInt(n>>20, 10) + " MiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// ReadFile reads a file the configuration names (a CA bundle, a secret)
// the way Load does: only a regular file (or a symlink to one), at most
// DefaultLimits.FileBytes, without ever blocking. Errors match
// ErrNotRegular or ErrTooLarge, or are the open's *fs.PathError.
func ReadFile(path string) ([]byte, error) {
	return DefaultLimits.ReadFile(path)
}

// ReadFile is the package's ReadFile within l.FileBytes (zero: the
// default), so a file the configuration names is read within the limits
// its `node.limits` set: cfg.Node.Limits.ReadFile(path).
func (l Limits) ReadFile(path string) ([]byte, error) {
	return readBounded(path, l.orDefault().FileBytes)
}
