package desired

import (
	"path/filepath"
)

// Loader loads a configuration directory again and again, re-parsing only
// the files whose identity (inode, size, modification time, following
// symlinks) changed since its last Load. The other files keep their parsed
// form and their checked services, so a one-file edit costs that file's
// parse and checks plus the cross-file checks; an edit inside one item of
// `services:` re-parses that item only. Every Load returns what Load(Dir)
// would return for the same files. The zero Loader (with Dir set) is ready;
// it is not safe for concurrent use.
type Loader struct {
	// Dir is the configuration directory.
	Dir     string
	cache   map[string]cachedFile
	builder cachedBuilder
}

// cachedFile is one file's parse and the identity it was read with.
type cachedFile struct {
	stamp fileStamp
	file  *parsedFile
}

// Load builds the Config from the directory's current files. Reparsed
// reports how many files were parsed (not reused) this time. Errors are
// those of Load.
func (l *Loader) Load() (cfg Config, reparsed int, err error) {
	names, err := configFiles(l.Dir)
	if err != nil {
		return Config{}, 0, err
	}
	next := make(map[string]cachedFile, len(names))
	files := make([]*parsedFile, 0, len(names))
	for _, name := range names {
		st, ok := stampOf(filepath.Join(l.Dir, name))
		if c, hit := l.cache[name]; hit && ok && c.stamp == st {
			next[name] = c
			files = append(files, c.file)
			continue
		}
		var f *parsedFile
		if c, hit := l.cache[name]; hit {
			f = reloadFile(l.Dir, name, c.file) // an edit inside one service re-parses that service
		} else {
			f = loadFile(l.Dir, name)
		}
		reparsed++
		if ok {
			next[name] = cachedFile{stamp: st, file: f}
		}
		files = append(files, f)
	}
	l.cache = next
	cfg, err = l.builder.build(files)
	return cfg, reparsed, err
}
