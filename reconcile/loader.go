package reconcile

import (
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/seesaw-lb/seesaw/desired"
)

// Loader reads a configuration directory and re-parses only the files whose
// identity (inode, size, modification time, following symlinks) changed
// since the last load; the rest reuse their parsed form and their checked
// services (desired.Builder), so a one-file edit costs that file's parse
// and checks plus the cross-file checks. Not safe for
// concurrent use.
type Loader struct {
	Dir     string
	cache   map[string]cachedFile
	builder desired.Builder
}

type cachedFile struct {
	stamp fileStamp
	file  *desired.File
}

type fileStamp struct {
	ino   uint64
	size  int64
	mtime time.Time
}

// Load builds the Config from the directory's current files. Reparsed
// reports how many files were parsed (not reused) this time.
func (l *Loader) Load() (cfg desired.Config, reparsed int, err error) {
	names, err := desired.ConfigFiles(l.Dir)
	if err != nil {
		return desired.Config{}, 0, err
	}
	next := make(map[string]cachedFile, len(names))
	files := make([]*desired.File, 0, len(names))
	for _, name := range names {
		st, ok := stampOf(filepath.Join(l.Dir, name))
		if c, hit := l.cache[name]; hit && ok && c.stamp == st {
			next[name] = c
			files = append(files, c.file)
			continue
		}
		var f *desired.File
		if c, hit := l.cache[name]; hit {
			f = desired.ReparseFile(l.Dir, name, c.file) // an edit inside one service re-parses that service
		} else {
			f = desired.ParseFile(l.Dir, name)
		}
		reparsed++
		if ok {
			next[name] = cachedFile{stamp: st, file: f}
		}
		files = append(files, f)
	}
	l.cache = next
	cfg, err = l.builder.Build(files)
	return cfg, reparsed, err
}

// stampOf returns the identity of the file path points to.
func stampOf(path string) (fileStamp, bool) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{}, false
	}
	st := fileStamp{size: fi.Size(), mtime: fi.ModTime()}
	if sys, ok := fi.Sys().(*syscall.Stat_t); ok {
		st.ino = sys.Ino
	}
	return st, true
}
