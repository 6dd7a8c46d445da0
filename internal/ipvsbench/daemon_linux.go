//go:build linux

package ipvsbench

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// daemon is a seesaw-reconcile process running in a namespace, with its
// log kept for waitLog.
type daemon struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	log    bytes.Buffer
	exited chan struct{}
}

func (d *daemon) Write(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.log.Write(p)
}

func (d *daemon) logText() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.log.String()
}

// startDaemon runs bin on the configuration in dir inside ns (the child
// inherits the namespace of the thread that forks it), with env added to
// the environment.
func startDaemon(ns *os.File, bin, dir string, env ...string) (*daemon, error) {
	d := &daemon{exited: make(chan struct{})}
	d.cmd = exec.Command(bin, "run", "--config-dir", dir, "--metrics-address", "off",
		"--control-socket", filepath.Join(dir, "control.sock"))
	if len(env) > 0 {
		d.cmd.Env = append(os.Environ(), env...)
	}
	d.cmd.Stdout, d.cmd.Stderr = d, d
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := inNS(ns, d.cmd.Start); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() { d.cmd.Wait(); close(d.exited) }()
	return d, nil
}

// waitLog waits until the log has a line containing every one of parts.
func (d *daemon) waitLog(limit time.Duration, parts ...string) (string, error) {
	for deadline := time.Now().Add(limit); ; time.Sleep(20 * time.Millisecond) {
		for _, line := range strings.Split(d.logText(), "\n") {
			all := true
			for _, p := range parts {
				all = all && strings.Contains(line, p)
			}
			if all {
				return line, nil
			}
		}
		select {
		case <-d.exited:
			return "", fmt.Errorf("daemon exited before logging %q:\n%s", parts, d.logText())
		default:
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("no log line with %q after %v:\n%s", parts, limit, d.logText())
		}
	}
}

// stop sends SIGTERM and waits for the exit.
func (d *daemon) stop() error {
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.exited:
		return nil
	case <-time.After(time.Minute):
		d.cmd.Process.Kill()
		<-d.exited
		return fmt.Errorf("daemon did not stop within a minute of SIGTERM")
	}
}

// procCPU is the process's user+system CPU time (/proc/pid/stat).
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command (which may hold spaces) start at state (3).
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	s, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: utime %q stime %q", pid, f[11], f[12])
	}
	return time.Duration(u+s) * time.Second / 100, nil // USER_HZ
}

// procMem returns VmRSS and VmHWM (peak RSS) of a process, in bytes.
func procMem(pid int) (rss, peak int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		v, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			rss = v << 10
		case "VmHWM:":
			peak = v << 10
		}
	}
	return rss, peak, nil
}
