package hooks

import (
	"errors"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// result is how a run ended; its text is the metric label.
type result string

const (
	resultOK      result = "ok"
	resultFailed  result = "failed"
	resultTimeout result = "timeout"
)

// execute runs h once for x and logs the outcome.
func (r *Runner) execute(h Hook, x queued) result {
	out := &capped{limit: r.opts.OutputLimit}
	start := time.Now()
	code, res, err := r.runProcess(h, x, out)
	attrs := []any{"hook", h.Name, "event", x.ev.Kind, "seq", x.seq, "result", string(res),
		"exit_code", code, "duration", time.Since(start).Round(time.Millisecond)}
	if x.ev.Service != "" {
		attrs = append(attrs, "service", x.ev.Service)
	}
	if x.ev.Instance != "" {
		attrs = append(attrs, "instance", x.ev.Instance)
	}
	if text := out.text(); text != "" {
		attrs = append(attrs, "output", text)
	}
	if n := out.dropped(); n > 0 {
		attrs = append(attrs, "output_dropped_bytes", n)
	}
	switch res {
	case resultOK:
		r.log.Info("hook ran", attrs...)
	case resultTimeout:
		r.log.Warn("hook timed out: its process group was killed", append(attrs, "timeout", h.Timeout)...)
	default:
		if err != nil {
			attrs = append(attrs, "error", err.Error())
		}
		r.log.Warn("hook failed", attrs...)
	}
	return res
}

// runProcess starts h's program in a process group of its own and waits
// for it, up to h.Timeout; then the group gets SIGTERM, and SIGKILL after
// the grace period. It returns the exit code (-1 when there is none).
func (r *Runner) runProcess(h Hook, x queued, out *capped) (int, result, error) {
	if len(h.Run) == 0 {
		return -1, resultFailed, errors.New("no program to run")
	}
	cmd := exec.Command(h.Run[0], h.Run[1:]...)
	cmd.Env = Env(h.Name, x.ev, x.seq)
	cmd.Dir = "/"
	cmd.Stdout, cmd.Stderr = out, out
	cmd.WaitDelay = r.opts.Grace // a stray child holding the pipes open
	if err := ownGroup(cmd); err != nil {
		return -1, resultFailed, err
	}
	if err := cmd.Start(); err != nil {
		return -1, resultFailed, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	timer := time.NewTimer(h.Timeout)
	defer timer.Stop()
	select {
	case err := <-done:
		return exitCode(cmd), resultOf(err), err
	case <-timer.C:
	}
	pid := cmd.Process.Pid
	if err := signalGroup(pid, false); err != nil {
		r.log.Warn("hook timed out: SIGTERM to its process group failed", "hook", h.Name, "pid", pid, "error", err.Error())
	}
	grace := time.NewTimer(r.opts.Grace)
	defer grace.Stop()
	select {
	case <-done:
		signalGroup(pid, true) // what is left of the group after the leader
		return exitCode(cmd), resultTimeout, nil
	case <-grace.C:
	}
	if err := signalGroup(pid, true); err != nil {
		r.log.Warn("hook timed out: SIGKILL to its process group failed", "hook", h.Name, "pid", pid, "error", err.Error())
	}
	<-done
	return exitCode(cmd), resultTimeout, nil
}

// resultOf maps Wait's error: a clean exit, or output pipes a stray child
// kept open after the program itself exited 0, is ok.
func resultOf(err error) result {
	if err == nil || errors.Is(err, exec.ErrWaitDelay) {
		return resultOK
	}
	return resultFailed
}

// exitCode is the program's exit status, -1 when it was killed by a signal.
func exitCode(cmd *exec.Cmd) int {
	if cmd.ProcessState == nil {
		return -1
	}
	return cmd.ProcessState.ExitCode()
}

// capped keeps the first limit bytes written to it and counts the rest.
type capped struct {
	mu    sync.Mutex
	buf   []byte
	limit int
	over  int
}

// Write keeps what fits and never fails, so the program is never stopped
// by a full log buffer.
func (c *capped) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := min(len(p), c.limit-len(c.buf))
	c.buf = append(c.buf, p[:n]...)
	c.over += len(p) - n
	return len(p), nil
}

// dropped is how many bytes were written beyond the limit.
func (c *capped) dropped() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.over
}

// text is the kept output without its trailing newlines.
func (c *capped) text() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.TrimRight(string(c.buf), "\n")
}
