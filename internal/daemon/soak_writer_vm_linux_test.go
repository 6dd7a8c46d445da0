package daemon

import (
	"math/rand/v2"
	"strings"
	"time"
)

// soakWriter changes the config every 100 ms, whatever the daemon is doing:
// valid edits, and one time in ten an invalid version of a file. The
// invalid file stays on disk, while the other files keep changing, until a
// daemon has reported it; then it is written valid again. Its counts are
// its own until finish, so the test goroutine never shares the map.
type soakWriter struct {
	s      *soakRun
	m      *soakModel
	r      *rand.Rand
	counts map[string]int

	pending int     // file with an invalid version on disk, or -1
	mark    logMark // where the daemon's log stood when it was written
}

// logMark is a position in the log of one daemon generation.
type logMark struct{ gen, off int }

// run edits until stop is closed (bounded by the soak's own end).
func (w *soakWriter) run(stop <-chan struct{}) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		w.step()
	}
}

// step makes one edit.
func (w *soakWriter) step() {
	if w.pending >= 0 && w.reported() {
		w.s.write(soakFileName(w.pending), w.m.render(w.pending))
		w.counts["invalid reported"]++
		w.pending = -1
		return
	}
	if w.pending < 0 && w.r.IntN(10) == 0 {
		f := w.r.IntN(len(w.m.files))
		w.mark = w.now()
		w.s.write(soakFileName(f), w.m.invalid(f, w.counts["invalid edits"]))
		w.counts["invalid edits"]++
		w.pending = f
		return
	}
	f, kind := w.m.mutate(w.r, w.pending)
	w.s.write(soakFileName(f), w.m.render(f))
	w.counts["edits"]++
	w.counts["edit: "+kind]++
}

// now is the current end of the running daemon's log.
func (w *soakWriter) now() logMark {
	d, gen := w.s.daemon()
	return logMark{gen, d.logs.Len()}
}

// reported says whether a daemon logged the pending file as invalid after
// it was written: the running one past the mark, or a later one (which
// found the file invalid when it started) anywhere in its log.
func (w *soakWriter) reported() bool {
	d, gen := w.s.daemon()
	off := 0
	if gen == w.mark.gen {
		off = w.mark.off
	}
	name := soakFileName(w.pending)
	for _, line := range strings.Split(d.logs.Since(off), "\n") {
		if reInvalid.MatchString(line) && strings.Contains(line, name) {
			return true
		}
	}
	return false
}

// finish waits for the report of a pending invalid file and repairs it, so
// the last valid config is what is on disk.
func (w *soakWriter) finish() {
	if w.pending < 0 {
		return
	}
	w.s.waitFor("the invalid config reported", w.reported)
	w.s.write(soakFileName(w.pending), w.m.render(w.pending))
	w.counts["invalid reported"]++
	w.pending = -1
}
