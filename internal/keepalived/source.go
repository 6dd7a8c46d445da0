package keepalived

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
)

// Source is where Parse reads files and expands include globs; OSSource
// reads the local file system, tests use a map.
type Source interface {
	// ReadFile returns the content of a file, at most max bytes, or an error
	// (a file over max is an error, never truncated).
	ReadFile(name string, max int64) ([]byte, error)
	// Glob returns the names matching pattern in lexical order.
	Glob(pattern string) ([]string, error)
}

// OSSource reads the local file system. It refuses anything but regular
// files (a named pipe or a device would block or never end).
type OSSource struct{}

// ReadFile reads name if it is a regular file of at most max bytes.
func (OSSource) ReadFile(name string, max int64) ([]byte, error) {
	st, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("read %s: not a regular file (%s)", name, st.Mode().Type())
	}
	if st.Size() > max {
		return nil, fmt.Errorf("read %s: %d bytes, over the limit of %d", name, st.Size(), max)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("read %s: over the limit of %d bytes", name, max)
	}
	return b, nil
}

// Glob expands pattern with filepath.Glob; a malformed pattern is an error.
func (OSSource) Glob(pattern string) ([]string, error) {
	m, err := filepath.Glob(pattern)
	if err != nil {
		return nil, fmt.Errorf("include %q: %w", pattern, err)
	}
	sort.Strings(m)
	return m, nil
}

// MapSource is an in-memory file system: file name to content. Glob
// matches names with filepath.Match.
type MapSource map[string]string

// ReadFile returns the named entry.
func (m MapSource) ReadFile(name string, max int64) ([]byte, error) {
	s, ok := m[filepath.Clean(name)]
	if !ok {
		return nil, fmt.Errorf("read %s: %w", name, os.ErrNotExist)
	}
	if int64(len(s)) > max {
		return nil, fmt.Errorf("read %s: %d bytes, over the limit of %d", name, len(s), max)
	}
	return []byte(s), nil
}

// Glob returns the entries matching pattern, sorted.
func (m MapSource) Glob(pattern string) ([]string, error) {
	if _, err := filepath.Match(pattern, ""); err != nil {
		return nil, fmt.Errorf("include %q: %w", pattern, err)
	}
	var out []string
	for name := range m {
		if ok, _ := filepath.Match(filepath.Clean(pattern), name); ok {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out, nil
}

// errLimit marks a parse stopped by one of Limits.
var errLimit = errors.New("limit exceeded")
