package desired

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// Load reads every configuration file of dir (*.yaml and *.yml, not hidden,
// not an editor backup) in name order, following symlinks, and builds the
// Config. Invalid configuration gives an Errors (errors.Is ErrInvalid)
// listing every problem; a directory without configuration files gives
// ErrNoFiles. To load the same directory again after edits, use a Loader.
func Load(dir string) (Config, error) {
	names, err := configFiles(dir)
	if err != nil {
		return Config{}, err
	}
	return loadFiles(dir, names)
}

// loadFiles parses the named files of dir and builds the Config from them.
// Files are parsed concurrently (at most GOMAXPROCS at a time); the result
// does not depend on which finishes first.
func loadFiles(dir string, names []string) (Config, error) {
	files := make([]*parsedFile, len(names))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(names)) {
		wg.Go(func() {
			for i := range next {
				files[i] = loadFile(dir, names[i])
			}
		})
	}
	for i := range names {
		next <- i
	}
	close(next)
	wg.Wait()
	return build(files)
}

// configFiles lists the configuration files of dir in name order.
func configFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read configuration directory %s: %w", dir, err)
	}
	var names []string
	for _, e := range entries {
		if !isConfigFile(e.Name()) {
			continue
		}
		if e.IsDir() {
			continue
		}
		// Stat follows symlinks: a ConfigMap's files are links into ..data.
		// Only links need it (one syscall per file saved on every reload).
		if e.Type()&fs.ModeSymlink != 0 {
			if fi, err := os.Stat(filepath.Join(dir, e.Name())); err == nil && fi.IsDir() {
				continue
			}
		}
		names = append(names, e.Name())
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("read configuration directory %s: %w", dir, ErrNoFiles)
	}
	slices.Sort(names)
	return names, nil
}

// isConfigFile reports whether a file name is configuration: *.yaml or *.yml,
// not hidden (.x, which also covers editor files .#x and .x.swp and a
// ConfigMap's ..data), not an editor backup (x~).
func isConfigFile(name string) bool {
	if strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~") || strings.HasPrefix(name, "#") {
		return false
	}
	return strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")
}

// loadFile reads and parses one file of dir; a read error is kept in the
// parsedFile like any other problem.
func loadFile(dir, name string) *parsedFile {
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return &parsedFile{Name: name, unparsed: true, errs: Errors{{File: name, Msg: "read: " + readError(err)}}}
	}
	return parse(name, data, dir, os.ReadFile)
}

// readError describes a read error without repeating the path.
func readError(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}
