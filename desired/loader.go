package desired

import (
	"crypto/sha256"
	"path/filepath"
	"slices"
	"time"
)

// Loader loads a configuration directory again and again, re-parsing only
// the files whose content changed since its last Load. The other files
// keep their parsed form and their checked services, so a one-file edit
// costs that file's parse and checks plus the cross-file checks; an edit
// inside one item of `services:` re-parses that item only.
//
// A Load reads every configuration file and every file they reference
// (secret_file, password_file, value_file, ca_file) and compares their
// content with what the last parse used, except a file whose stat is a
// trusted stamp of the last read: same device, inode, type, size, and
// modification and change times to the nanosecond, where both times were
// more than 2 s older than the start of the Load that read it. Such a
// file cannot have been rewritten since: any write moves its change time
// to the current time, later than that start (renaming another file over
// it changes the inode; touch or rsync can set the modification time back
// but never the change time). A file written within 2 s of a read is read
// again on every Load until a read finds it older, since a filesystem's
// coarse timestamps (1 s on ext3, 2 s on FAT) may not move for a rewrite
// in the same tick. So an edit is seen whatever it does to the file's
// size, inode or modification time, and a rotated secret makes a new
// Config.
//
// Every Load returns what Load(Dir) would return for the same files, on
// the premise of the stamps: the wall clock does not step back by more
// than 2 s past a file's times, and the filesystem moves a file's change
// time on every write (network filesystems: with the client's and
// server's clocks within 2 s). Forget (the daemon's SIGHUP) drops the
// stamps with the parses. Off Linux every file is read on every Load. The
// zero Loader (with Dir set) is ready; it is not safe for concurrent use.
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
	// reads counts the files (configuration and referenced) the last
	// Load read; the others' stamps vouched for them.
	reads int
	// now is the clock that dates reads against file times (nil: time.Now).
	now func() time.Time
}

// digest identifies the content of a file (or the error reading it).
type digest [sha256.Size]byte

// cachedFile is one file's parse, the digest of the text it was parsed
// from and the referenced files that parse read.
type cachedFile struct {
	sum   digest
	refs  []refRead
	file  *parsedFile
	stamp stamped
}

// refRead is one read of a referenced file, the digest of its result and
// the file's stamp.
type refRead struct {
	path  string
	sum   digest
	stamp stamped
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
	l.reads = 0
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
// unread). A file whose stamp vouches for it, and whose referenced files'
// stamps or contents vouch for them, is not read.
func (l *Loader) pass(names []string, lim Limits) (files []*parsedFile, sizes []int64, budget *dirBudget, reparsed int) {
	start := l.clock()
	budget = newDirBudget(l.Dir, lim)
	next := make(map[string]cachedFile, len(names))
	files = make([]*parsedFile, 0, len(names))
	sizes = make([]int64, 0, len(names))
	for _, name := range names {
		path := filepath.Join(l.Dir, name)
		c, hit := l.cache[name]
		if hit && unchangedSince(path, c.stamp, lim.FileBytes) && l.refsUnchanged(c.refs, lim, budget, start) {
			if err := budget.spend(int(c.stamp.stamp.size)); err != nil {
				files, sizes = append(files, readFailed(name, budget.note(err))), append(sizes, -1)
				reparsed++
				continue
			}
			sizes = append(sizes, c.stamp.stamp.size)
			next[name] = c
			files = append(files, c.file)
			continue
		}
		l.reads++
		data, fi, err := readBoundedStat(path, lim.FileBytes)
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
		stamp := stampRead(fi, len(data), start)
		if hit && c.sum == sum && l.refsUnchanged(c.refs, lim, budget, start) {
			c.stamp = stamp
			next[name] = c
			files = append(files, c.file)
			continue
		}
		rec := &refRecorder{lim: lim, budget: budget, start: start}
		var f *parsedFile
		if hit {
			f = reparse(c.file, name, data, l.Dir, rec.readFile) // an edit inside one service re-parses that service
		} else {
			f = parse(name, data, l.Dir, rec.readFile)
		}
		reparsed++
		l.reads += len(rec.reads)
		next[name] = cachedFile{sum: sum, refs: rec.reads, file: f, stamp: stamp}
		files = append(files, f)
	}
	l.cache = next
	return files, sizes, budget, reparsed
}

// clock is the time now.
func (l *Loader) clock() time.Time {
	if l.now != nil {
		return l.now()
	}
	return time.Now()
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

// refRecorder reads referenced files within lim and records each read's
// digest and stamp.
type refRecorder struct {
	lim    Limits
	budget *dirBudget
	start  time.Time
	reads  []refRead
}

// readFile reads path and records the digest of what the parse saw.
func (r *refRecorder) readFile(path string) ([]byte, error) {
	data, fi, err := readBoundedStat(path, r.lim.FileBytes)
	r.budget.note(err)
	r.reads = append(r.reads, refRead{path: path, sum: readDigest(data, err), stamp: stampRead(fi, len(data), r.start)})
	return data, err
}

// refsUnchanged reports whether every recorded read would give the same
// result: its stamp vouches for it, or reading it again (a refusal for
// size is noted in budget) gives the same digest, which renews the stamp.
func (l *Loader) refsUnchanged(refs []refRead, lim Limits, budget *dirBudget, start time.Time) bool {
	for i, r := range refs {
		if unchangedSince(r.path, r.stamp, lim.FileBytes) {
			continue
		}
		l.reads++
		data, fi, err := readBoundedStat(r.path, lim.FileBytes)
		budget.note(err)
		if readDigest(data, err) != r.sum {
			return false
		}
		refs[i].stamp = stampRead(fi, len(data), start)
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
