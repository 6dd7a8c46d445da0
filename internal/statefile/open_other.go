//go:build !unix

package statefile

import (
	"fmt"
	"os"
)

// openNoFollow opens path for reading after checking that it is not a
// symlink (this platform has no O_NOFOLLOW).
func openNoFollow(path string) (*os.File, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if fi.Mode()&os.ModeSymlink != 0 {
		return nil, fmt.Errorf("%w (symlink)", ErrNotRegular)
	}
	return os.Open(path)
}

// syncDir is a no-op: this platform cannot sync a directory.
func syncDir(string) error { return nil }
