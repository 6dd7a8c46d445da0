package daemon

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// chromiumFlags start a headless Chromium that talks to nothing but the
// page it is given.
var chromiumFlags = []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
	"--remote-debugging-port=0", "--remote-allow-origins=" + cdpOrigin}

// openInChromium starts headless Chromium on about:blank in its own
// process group, connects to its page over the DevTools protocol, loads
// url there and returns the connection once the page's load event has
// fired. Each step waits for a browser that is merely slow (see the bounds
// of devToolsPort, pageTarget, dialCDP and navigate) and fails at once if
// it exited. The group is killed, and checked to be gone, when the test
// ends.
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
	cmd := exec.Command(path, append(chromiumFlags, "--user-data-dir="+profile, "about:blank")...)
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
	ws, err := pageTarget(fmt.Sprintf("http://127.0.0.1:%d", port), 5*time.Second, exited)
	if err != nil {
		fail(err)
	}
	c, err := dialCDP(ws, exited)
	if err != nil {
		fail(err)
	}
	t.Cleanup(func() { c.close() })
	if err := c.navigate(url); err != nil {
		fail(fmt.Errorf("%w; the page shows %s", err, c.describe()))
	}
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

// devToolsTarget is an entry of Chromium's DevTools target list.
type devToolsTarget struct {
	Type, URL            string
	WebSocketDebuggerURL string `json:"webSocketDebuggerUrl"`
}

// pageTarget waits (at most 30 s) for a "page" target in the DevTools
// target list at base (http://host:port) and returns its websocket. A
// browser still starting may list none, or only targets of other types;
// if none is listed after askAfter it is asked to open one (/json/new).
func pageTarget(base string, askAfter time.Duration, exited <-chan struct{}) (string, error) {
	client := &http.Client{Timeout: 5 * time.Second}
	start, asked := time.Now(), ""
	var ws string
	n, err := poll(30*time.Second, 100*time.Millisecond, exited, func() error {
		var targets []devToolsTarget
		if err := devToolsJSON(client, http.MethodGet, base+"/json/list", &targets); err != nil {
			return err
		}
		var seen []string
		for _, tg := range targets {
			if tg.Type == "page" && tg.WebSocketDebuggerURL != "" {
				ws = tg.WebSocketDebuggerURL
				return nil
			}
			seen = append(seen, tg.Type+" "+tg.URL)
		}
		if asked == "" && time.Since(start) >= askAfter {
			var tg devToolsTarget
			asked = "; opened a page with /json/new"
			if err := devToolsJSON(client, http.MethodPut, base+"/json/new?about:blank", &tg); err != nil {
				asked = fmt.Sprintf("; /json/new: %v", err)
			} else if tg.Type == "page" && tg.WebSocketDebuggerURL != "" {
				ws = tg.WebSocketDebuggerURL
				return nil
			}
		}
		return fmt.Errorf("no page target among %d %q%s", len(targets), seen, asked)
	})
	if err != nil {
		return "", fmt.Errorf("devtools %s/json/list: %d reads in at most 30 s: %w", base, n, err)
	}
	return ws, nil
}

// devToolsJSON sends a request to Chromium's DevTools HTTP endpoint and
// decodes the JSON answer into out.
func devToolsJSON(client *http.Client, method, url string, out any) error {
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
		return fmt.Errorf("%s %s: %s: %s", method, url, resp.Status, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("%s %s: %w", method, url, err)
	}
	return nil
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

// TestChromiumPageTargetWaits: pageTarget polls a DevTools target list
// that lists no page at first, skips targets of other types, and asks for
// a page with PUT /json/new when none is listed in time.
func TestChromiumPageTargetWaits(t *testing.T) {
	page := `{"type": "page", "url": "about:blank", "webSocketDebuggerUrl": "ws://127.0.0.1:1/devtools/page/A"}`
	other := `{"type": "browser_ui", "url": "chrome://omnibox-popup.top-chrome/", "webSocketDebuggerUrl": "ws://127.0.0.1:1/devtools/page/B"}`
	var lists, pageFrom atomic.Int32 // the list holds the page from read pageFrom on
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/json/list" && r.Method == http.MethodGet:
			switch n := lists.Add(1); {
			case n == 1:
				http.Error(w, "starting", http.StatusServiceUnavailable)
			case n == 2:
				io.WriteString(w, "[]")
			case n < pageFrom.Load():
				io.WriteString(w, "["+other+"]")
			default:
				io.WriteString(w, "["+other+", "+page+"]")
			}
		case r.URL.Path == "/json/new" && r.Method == http.MethodPut:
			io.WriteString(w, strings.Replace(page, "/A", "/NEW", 1))
		default:
			http.Error(w, "unexpected "+r.Method+" "+r.URL.String(), http.StatusBadRequest)
		}
	}))
	defer srv.Close()

	pageFrom.Store(4)
	ws, err := pageTarget(srv.URL, time.Minute, nil)
	if err != nil || ws != "ws://127.0.0.1:1/devtools/page/A" || lists.Load() != 4 {
		t.Fatalf("pageTarget: %q, %v after %d reads; want the page listed by the 4th", ws, err, lists.Load())
	}
	lists.Store(0)
	pageFrom.Store(1000)
	ws, err = pageTarget(srv.URL, 300*time.Millisecond, nil)
	if err != nil || ws != "ws://127.0.0.1:1/devtools/page/NEW" {
		t.Fatalf("pageTarget: %q, %v; want the page opened with /json/new", ws, err)
	}
	exited := make(chan struct{})
	close(exited)
	if _, err := pageTarget(srv.URL, time.Minute, exited); !errors.Is(err, errBrowserGone) || !strings.Contains(err.Error(), "browser_ui chrome://omnibox") {
		t.Fatalf("pageTarget of an exited browser: %v, want %v naming the targets seen", err, errBrowserGone)
	}
}
