package desired

import (
	"fmt"
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
//
// Every file read must be a regular file (or a symlink to one) within
// DefaultLimits, or within the larger `node.limits` when a read was refused
// for its size (see Limits for the rule); anything else is reported as that
// file's error, and no read ever blocks. Use a Loader to apply other Limits.
func Load(dir string) (Config, error) {
	cfg, _, err := load(dir, DefaultLimits)
	return cfg, err
}

// load is Load within floor (zero fields: DefaultLimits); passes counts the
// reads of the directory (1, or 2 when node.limits raised floor after a
// read was refused for size).
func load(dir string, floor Limits) (cfg Config, passes int, err error) {
	floor = floor.orDefault()
	names, err := configFiles(dir)
	if err != nil {
		return Config{}, 0, err
	}
	files, budget := loadFiles(dir, names, floor)
	passes = 1
	if budget.tooLarge() {
		if lim := floor.raise(nodeLimits(dir, files, nil, floor)); lim != floor {
			files, budget = loadFiles(dir, names, lim)
			passes++
		}
	}
	if err := budget.err(); err != nil {
		return Config{}, passes, err
	}
	cfg, err = build(files)
	return cfg, passes, err
}

// loadFiles parses the named files of dir within lim. Files are parsed
// concurrently (at most GOMAXPROCS at a time); the result does not depend
// on which finishes first.
func loadFiles(dir string, names []string, lim Limits) ([]*parsedFile, *dirBudget) {
	files := make([]*parsedFile, len(names))
	next := make(chan int)
	var wg sync.WaitGroup
	budget := newDirBudget(dir, lim)
	for range min(runtime.GOMAXPROCS(0), len(names)) {
		wg.Go(func() {
			for i := range next {
				files[i] = loadFile(dir, names[i], lim, budget)
			}
		})
	}
	for i := range names {
		next <- i
	}
	close(next)
	wg.Wait()
	return files, budget
}

// configFiles lists the configuration files of dir in name order.
func configFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read configuration directory %s: %w", dir, err)
	}
	var names []string
	for _, e := range entries {
		// A directory or a link to one with a configuration name is kept:
		// reading it reports that it is not a regular file.
		if isConfigFile(e.Name()) {
			names = append(names, e.Name())
		}
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
// budget (nil: none) counts the bytes read against the directory's limit.
func loadFile(dir, name string, lim Limits, budget *dirBudget) *parsedFile {
	data, err := readBounded(filepath.Join(dir, name), lim.FileBytes)
	if err == nil {
		err = budget.spend(len(data))
	}
	if err != nil {
		return readFailed(name, budget.note(err))
	}
	return parse(name, data, dir, boundedReader(lim, budget))
}

// readFailed is the parse of a file that could not be read.
func readFailed(name string, err error) *parsedFile {
	return &parsedFile{Name: name, unparsed: true, errs: Errors{{File: name, Msg: "read: " + readError(err)}}}
}

// boundedReader reads referenced files (secrets, CA bundles) within lim,
// noting a refusal for size in budget (nil: nowhere).
func boundedReader(lim Limits, budget *dirBudget) readFunc {
	return func(path string) ([]byte, error) { return budget.noteRead(readBounded(path, lim.FileBytes)) }
}

// readError describes a read error without repeating the path.
func readError(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}
