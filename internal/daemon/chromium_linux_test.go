package daemon

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// chromiumFlags start a headless Chromium that talks to nothing but the
// page it is given.
var chromiumFlags = []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
	"--remote-debugging-port=0", "--remote-allow-origins=" + cdpOrigin}

// openInChromium starts headless Chromium on url in its own process group
// and returns a DevTools connection to the page. The group is killed, and
// checked to be gone, when the test ends.
func openInChromium(t *testing.T, url string) *cdpConn {
	t.Helper()
	if u, err := neturl.Parse(url); err != nil || u.Host == "" {
		t.Fatalf("openInChromium(%q): not a URL with a host", url)
	}
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("SEESAW_NETNS=1 needs chromium (internal/tools/install-deps.sh): %v", err)
	}
	profile := t.TempDir()
	cmd := exec.Command(path, append(chromiumFlags, "--user-data-dir="+profile, url)...)
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// Pdeathsig fires when the starting thread exits: keep this goroutine on
	// it until the browser is gone, so only the test's end (or a crash of
	// the test binary) kills the browser.
	runtime.LockOSThread()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		runtime.UnlockOSThread()
		t.Fatalf("start %s: %v", path, err)
	}
	exited := make(chan struct{})
	var waitErr error // set before exited is closed
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		defer runtime.UnlockOSThread()
		killGroup(t, cmd.Process.Pid, exited)
		if t.Failed() {
			t.Logf("chromium output (last 4 KiB):\n%s", tail(out.String(), 4096))
		}
	})
	fail := func(err error) {
		t.Helper()
		if errors.Is(err, errBrowserGone) {
			<-exited
			err = fmt.Errorf("%w: %v", err, waitErr)
		}
		t.Fatalf("chromium: %v", err)
	}
	port, err := devToolsPort(profile, exited)
	if err != nil {
		fail(err)
	}
	ws, err := pageDebuggerURL(port, url)
	if err != nil {
		fail(err)
	}
	c, err := dialCDP(ws, exited)
	if err != nil {
		fail(err)
	}
	t.Cleanup(func() { c.close() })
	return c
}

// devToolsPort waits (at most 30 s) for Chromium to write the port it
// listens on into the profile's DevToolsActivePort file.
func devToolsPort(profile string, exited <-chan struct{}) (int, error) {
	file := filepath.Join(profile, "DevToolsActivePort")
	var port int
	n, err := poll(30*time.Second, 50*time.Millisecond, exited, func() error {
		b, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		line, _, ok := strings.Cut(string(b), "\n")
		if !ok {
			return fmt.Errorf("%s holds %q, no complete first line", file, b)
		}
		port, err = strconv.Atoi(line)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("no port in %s after %d reads in at most 30 s: %w", file, n, err)
	}
	return port, nil
}

// pageDebuggerURL finds the DevTools websocket of the page showing url.
func pageDebuggerURL(port int, url string) (string, error) {
	client := &http.Client{Timeout: 5 * time.Second}
	list := fmt.Sprintf("http://127.0.0.1:%d/json/list", port)
	var last error
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		var targets []struct {
			Type, URL            string
			WebSocketDebuggerURL string `json:"webSocketDebuggerUrl"`
		}
		resp, err := client.Get(list)
		if err != nil {
			last = err
			continue
		}
		err = json.NewDecoder(resp.Body).Decode(&targets)
		resp.Body.Close()
		if err != nil {
			last = err
			continue
		}
		for _, tg := range targets {
			if tg.Type == "page" && strings.HasPrefix(tg.URL, url) && tg.WebSocketDebuggerURL != "" {
				return tg.WebSocketDebuggerURL, nil
			}
		}
		last = fmt.Errorf("no page target for %s among %d targets", url, len(targets))
	}
	return "", fmt.Errorf("devtools %s: %v", list, last)
}

// killGroup kills process group pgid and waits (at most 10 s) until the
// leader is reaped and no live member is left.
func killGroup(t *testing.T, pgid int, exited <-chan struct{}) {
	t.Helper()
	syscall.Kill(-pgid, syscall.SIGKILL)
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		t.Errorf("chromium (pid %d) not reaped 10 s after SIGKILL", pgid)
	}
	var left []int
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if left = liveGroupMembers(pgid); len(left) == 0 {
			return
		}
		syscall.Kill(-pgid, syscall.SIGKILL)
	}
	t.Errorf("chromium processes left behind in group %d: %v", pgid, left)
}

// liveGroupMembers lists the processes of group pgid that are not zombies.
func liveGroupMembers(pgid int) []int {
	dirs, _ := os.ReadDir("/proc")
	var pids []int
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		f, err := os.Open(filepath.Join("/proc", d.Name(), "stat"))
		if err != nil {
			continue
		}
		line, _ := bufio.NewReader(f).ReadString('\n')
		f.Close()
		// pid (comm) state ppid pgrp ...: comm may hold spaces and parens.
		fields := strings.Fields(line[strings.LastIndexByte(line, ')')+1:])
		if len(fields) > 2 && fields[0] != "Z" && fields[2] == strconv.Itoa(pgid) {
			pids = append(pids, pid)
		}
	}
	return pids
}
