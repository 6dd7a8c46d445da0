package desired

import (
	"errors"
	"fmt"
	"sync/atomic"
)

// dirBudget counts the bytes of one load's configuration files against
// the directory's limit, and notes whether any read of the load was refused
// for its size. A nil *dirBudget counts nothing.
type dirBudget struct {
	dir     string
	limit   int64
	used    atomic.Int64
	refused atomic.Bool
}

// newDirBudget starts counting for dir under lim.DirBytes.
func newDirBudget(dir string, lim Limits) *dirBudget {
	return &dirBudget{dir: dir, limit: lim.DirBytes}
}

// spend counts n bytes; over the limit, the file's text must be dropped.
func (b *dirBudget) spend(n int) error {
	if b == nil || b.used.Add(int64(n)) <= b.limit {
		return nil
	}
	return fmt.Errorf("%w: the configuration files of %s total over the limit of %s", ErrTooLarge, b.dir, sizeName(b.limit))
}

// note records a read refused for its size and returns err unchanged.
func (b *dirBudget) note(err error) error {
	if b != nil && errors.Is(err, ErrTooLarge) {
		b.refused.Store(true)
	}
	return err
}

// tooLarge reports whether a read of this load, or the directory's total,
// went over its limit.
func (b *dirBudget) tooLarge() bool {
	return b.refused.Load() || b.used.Load() > b.limit
}

// err is the directory's error once its files went over the limit: which
// file crossed it depends on read order, so the whole load fails with one
// error of the directory.
func (b *dirBudget) err() error {
	if b.used.Load() <= b.limit {
		return nil
	}
	return Errors{{Msg: fmt.Sprintf("read configuration directory %s: the configuration files total over the limit of %s",
		b.dir, sizeName(b.limit))}}
}

// noteRead is note for the two results of a read.
func (b *dirBudget) noteRead(data []byte, err error) ([]byte, error) {
	return data, b.note(err)
}
