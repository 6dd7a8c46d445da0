package desired

import (
	"crypto/sha256"
	"path/filepath"
	"slices"
)

// Loader loads a configuration directory again and again, re-parsing only
// the files whose content changed since its last Load. Every Load reads
// every configuration file and every file they reference (secret_file,
// password_file, value_file, ca_file) and compares their content with
// what the last parse used, so an edit is seen whatever it does to the
// file's size, inode or modification time, and a rotated secret makes a
// new Config. The other files keep their parsed form and their checked
// services, so a one-file edit costs that file's parse and checks plus the
// cross-file checks; an edit inside one item of `services:` re-parses
// that item only. Every Load returns what Load(Dir) would return for the
// same files. The zero Loader (with Dir set) is ready; it is not safe for
// concurrent use.
type Loader struct {
	// Dir is the configuration directory.
	Dir string
	// Limits bound every read (zero fields: DefaultLimits); `node.limits`
	// may raise them, never lower them.
	Limits  Limits
	cache   map[string]cachedFile
	builder cachedBuilder
	// learned is the `node.limits` the last Load found (kept across Forget).
	learned Limits
	// passes counts the reads of the directory by the last Load (1 or 2).
	passes int
}

// digest identifies the content of a file (or the error reading it).
type digest [sha256.Size]byte

// cachedFile is one file's parse, the digest of the text it was parsed
// from and the referenced files that parse read.
type cachedFile struct {
	sum  digest
	refs []refRead
	file *parsedFile
}

// refRead is one read of a referenced file and the digest of its result.
type refRead struct {
	path string
	sum  digest
}

// Load builds the Config from the directory's current files. Reparsed
// reports how many files were parsed (not reused) this time. Errors are
// those of Load. The read limits are Limits raised by the `node.limits`
// the last Load found, and when this Load finds other ones it reads the
// files again within them, so the result is always Load's.
func (l *Loader) Load() (cfg Config, reparsed int, err error) {
	names, err := configFiles(l.Dir)
	if err != nil {
		return Config{}, 0, err
	}
	floor := l.Limits.orDefault()
	lim := floor.raise(l.learned)
	files, sizes, budget, reparsed := l.pass(names, lim)
	l.passes = 1
	if want := floor.raise(nodeLimits(l.Dir, files, sizes, floor)); want != lim {
		var again int
		files, _, budget, again = l.pass(names, want)
		reparsed += again
		l.passes++
		lim = want
	}
	l.learned = lim
	if err := budget.err(); err != nil {
		return Config{}, reparsed, err
	}
	cfg, err = l.builder.build(files)
	return cfg, reparsed, err
}

// pass reads every named file within lim, re-parsing those whose content
// or referenced files changed; sizes[i] is the size of files[i] (-1:
// unread).
func (l *Loader) pass(names []string, lim Limits) (files []*parsedFile, sizes []int64, budget *dirBudget, reparsed int) {
	budget = newDirBudget(l.Dir, lim)
	next := make(map[string]cachedFile, len(names))
	files = make([]*parsedFile, 0, len(names))
	sizes = make([]int64, 0, len(names))
	for _, name := range names {
		data, err := readBounded(filepath.Join(l.Dir, name), lim.FileBytes)
		if err == nil {
			err = budget.spend(len(data))
		}
		if err != nil {
			files, sizes = append(files, readFailed(name, budget.note(err))), append(sizes, -1)
			reparsed++
			continue
		}
		sizes = append(sizes, int64(len(data)))
		sum := digest(sha256.Sum256(data))
		c, hit := l.cache[name]
		if hit && c.sum == sum && refsUnchanged(c.refs, lim, budget) {
			next[name] = c
			files = append(files, c.file)
			continue
		}
		rec := &refRecorder{read: boundedReader(lim, budget)}
		var f *parsedFile
		if hit {
			f = reparse(c.file, name, data, l.Dir, rec.readFile) // an edit inside one service re-parses that service
		} else {
			f = parse(name, data, l.Dir, rec.readFile)
		}
		reparsed++
		next[name] = cachedFile{sum: sum, refs: rec.reads, file: f}
		files = append(files, f)
	}
	l.cache = next
	return files, sizes, budget, reparsed
}

// Forget drops every parsed file, so the next Load parses everything
// again (the daemon's SIGHUP).
func (l *Loader) Forget() {
	l.cache = nil
	l.builder = cachedBuilder{}
}

// Referenced lists, sorted, the files outside the directory listing that
// the last Load read: secret, password, header value and CA files.
func (l *Loader) Referenced() []string {
	var out []string
	for _, c := range l.cache {
		for _, r := range c.refs {
			out = append(out, r.path)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// refRecorder reads referenced files and records each read's digest.
type refRecorder struct {
	read  readFunc
	reads []refRead
}

// readFile reads path and records the digest of what the parse saw.
func (r *refRecorder) readFile(path string) ([]byte, error) {
	data, err := r.read(path)
	r.reads = append(r.reads, refRead{path: path, sum: readDigest(data, err)})
	return data, err
}

// refsUnchanged reports whether every recorded read gives the same result
// (a refusal for size is noted in budget).
func refsUnchanged(refs []refRead, lim Limits, budget *dirBudget) bool {
	read := boundedReader(lim, budget)
	for _, r := range refs {
		if readDigest(read(r.path)) != r.sum {
			return false
		}
	}
	return true
}

// readDigest is the digest of a read's result: its bytes, or its error.
func readDigest(data []byte, err error) digest {
	if err != nil {
		return digest(sha256.Sum256([]byte("error: " + err.Error())))
	}
	return digest(sha256.Sum256(append([]byte("data: "), data...)))
}
