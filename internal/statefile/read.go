package statefile

import (
	"errors"
	"fmt"
	"io"
)

// ErrTooLarge is the error for a state file larger than the reader's cap.
var ErrTooLarge = errors.New("file too large")

// Read returns the content of the regular file at path, at most max bytes.
// A symlink, a FIFO, a device or a directory is refused with an error
// matching ErrNotRegular, a larger file with one matching ErrTooLarge. A
// missing file is an error matching fs.ErrNotExist.
func Read(path string, max int64) ([]byte, error) {
	f, err := openNoFollow(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("read %s: %w (%s)", path, ErrNotRegular, fi.Mode().Type())
	}
	if fi.Size() > max {
		return nil, fmt.Errorf("read %s: %w: %d bytes, at most %d", path, ErrTooLarge, fi.Size(), max)
	}
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("read %s: %w: more than %d bytes", path, ErrTooLarge, max)
	}
	return b, nil
}
