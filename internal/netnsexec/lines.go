package netnsexec

import (
	"bytes"
	"sync"
)

// Lines returns a writer for a command's output that calls fn with each
// complete line written to it, without its newline. Given as cmd.Stdout
// (or Stderr), it lets cmd.Wait (StartHeld's) wait until the output has
// been read to its end, so that no last line is lost when the command
// exits, as reading a StdoutPipe beside Wait may lose it. A last line
// without a newline is not reported. fn is called from one goroutine at a
// time and must not keep the slice.
func Lines(fn func(line []byte)) *LineWriter {
	return &LineWriter{fn: fn}
}

// LineWriter is the writer Lines returns.
type LineWriter struct {
	mu   sync.Mutex
	fn   func([]byte)
	part []byte
}

// Write calls the writer's fn with each line p completes.
func (w *LineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := len(p)
	for {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			w.part = append(w.part, p...)
			return n, nil
		}
		if len(w.part) > 0 {
			w.part = append(w.part, p[:i]...)
			w.fn(w.part)
			w.part = w.part[:0]
		} else {
			w.fn(p[:i])
		}
		p = p[i+1:]
	}
}
