package daemon

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/desired"
	"layeh.com/radius"
)

// pageConfig is two services with loopback backends and tcp checks on
// ports nothing listens on (the checks never run in these tests).
var pageConfig = map[string]string{
	"node.yaml": planNode,
	"web.yaml": "services:\n  - name: web\n    vip: 192.0.2.10\n    ports: [{proto: tcp, port: 80}]\n    forward: nat\n" +
		"    checks: [{type: tcp}]\n    backends: [{address: 127.0.0.2, port: 8080}, {address: 127.0.0.3, port: 8080, weight: 5}]\n" +
		"  - name: api\n    vip: 192.0.2.11\n    ports: [{proto: tcp, port: 443}]\n    forward: nat\n" +
		"    backends: [{address: 127.0.0.4, port: 8443, enabled: false}]\n",
}

// loadedWiring builds the daemon's wiring (fake kernel) with the files'
// config in force and one backend drained by hand, and runs the loop until
// it has planned that config; no other part runs.
func loadedWiring(t *testing.T, files map[string]string) *wiring {
	t.Helper()
	d, _ := fakeDeps(t)
	dir := writeConfig(t, files)
	w, closeKernel, err := newWiring(t.Context(), d, Options{ConfigDir: dir, StateDir: t.TempDir()}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeKernel)
	cfg, _, err := (&desired.Loader{Dir: dir}).Load()
	if err != nil {
		t.Fatal(err)
	}
	if err := w.configLoaded(cfg); err != nil {
		t.Fatal(err)
	}
	if err := w.override("127.0.0.2:8080", true); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.loop.Run(ctx, time.Hour) }()
	t.Cleanup(func() { cancel(); <-done })
	eventually(t, "the loop's first round", func() bool { return w.loop.Status().Rounds > 0 })
	return w
}

func get(t *testing.T, h http.Handler, method, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec
}

func TestStatusPageServesEmbeddedAssets(t *testing.T) {
	h := loadedWiring(t, pageConfig).metricsHandler()
	for path, ctype := range map[string]string{
		"/":            "text/html; charset=utf-8",
		"/status.css":  "text/css; charset=utf-8",
		"/status.js":   "text/javascript; charset=utf-8",
		"/status.json": "application/json",
	} {
		rec := get(t, h, http.MethodGet, path)
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != ctype {
			t.Errorf("GET %s: %d %q, want 200 %q", path, rec.Code, rec.Header().Get("Content-Type"), ctype)
		}
		if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("GET %s: Content-Security-Policy %q", path, csp)
		}
	}
	page := get(t, h, http.MethodGet, "/").Body.String()
	// Every local reference of the page is served.
	refs := regexp.MustCompile(`(?:src|href)="([^"]*)"`).FindAllStringSubmatch(page, -1)
	if len(refs) < 3 {
		t.Fatalf("the page references %d files:\n%s", len(refs), page)
	}
	var names []string
	for _, m := range refs {
		names = append(names, m[1])
		if rec := get(t, h, http.MethodGet, "/"+m[1]); rec.Code != http.StatusOK {
			t.Errorf("the page references %q: GET gives %d", m[1], rec.Code)
		}
	}
	if got := strings.Join(names, " "); !strings.Contains(got, "status.css status.js") {
		t.Errorf("the page loads %s, want its stylesheet and script", got)
	}
}

// TestStatusPageHasNoExternalAssets reads every embedded file: no absolute
// or protocol-relative URL, and the script never builds markup from strings.
func TestStatusPageHasNoExternalAssets(t *testing.T) {
	external := regexp.MustCompile(`(?i)https?:|(?:src|href|action)\s*=\s*["']?\s*//|url\(\s*["']?\s*//|@import|fetch\(\s*["'][^"']*//`)
	markup := regexp.MustCompile(`innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function`)
	n := 0
	err := fs.WalkDir(statusPageFiles, "statuspage", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		b, err := statusPageFiles.ReadFile(path)
		if err != nil {
			return err
		}
		if m := external.Find(b); m != nil {
			t.Errorf("%s: external reference %q", path, m)
		}
		if m := markup.Find(b); m != nil {
			t.Errorf("%s: builds markup from strings: %q", path, m)
		}
		return nil
	})
	if err != nil || n != 3 {
		t.Fatalf("walk the embedded files: %d files, %v", n, err)
	}
}

func TestStatusPageIsReadOnly(t *testing.T) {
	h := loadedWiring(t, pageConfig).metricsHandler()
	for _, path := range []string{"/", "/status.json", "/status.js", "/status.css", "/metrics"} {
		for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
			if rec := get(t, h, method, path); rec.Code != http.StatusMethodNotAllowed {
				t.Errorf("%s %s: %d, want 405", method, path, rec.Code)
			}
		}
	}
	for _, path := range []string{"/failover", "/drain", "/status", "/index.html", "/statuspage/status.js"} {
		if rec := get(t, h, http.MethodGet, path); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, rec.Code)
		}
	}
}

// TestStatusJSONIsTheControlSocketStatus compares /status.json with the
// control socket's GET /status byte for byte.
func TestStatusJSONIsTheControlSocketStatus(t *testing.T) {
	w := loadedWiring(t, pageConfig)
	page := get(t, w.metricsHandler(), http.MethodGet, "/status.json")
	ctl := get(t, w.controlHandler(), http.MethodGet, "/status")
	var reply struct {
		OK     bool            `json:"ok"`
		Status json.RawMessage `json:"status"`
	}
	if err := json.Unmarshal(ctl.Body.Bytes(), &reply); err != nil || !reply.OK {
		t.Fatalf("control status: %v\n%s", err, ctl.Body)
	}
	if got, want := bytes.TrimSpace(page.Body.Bytes()), bytes.TrimSpace(reply.Status); !bytes.Equal(got, want) {
		t.Fatalf("/status.json differs from the control socket's status:\n%s\nwant:\n%s", got, want)
	}
	var st StatusReport
	if err := json.Unmarshal(page.Body.Bytes(), &st); err != nil {
		t.Fatal(err)
	}
	// The content is the config's, not an empty report.
	if len(st.Services) != 2 || len(st.Services[0].Backends) != 1 || len(st.Services[1].Backends) != 2 {
		t.Fatalf("status.json lacks services or backends:\n%s", page.Body)
	}
	api, web := st.Services[0], st.Services[1]
	got := fmt.Sprint(api.Name, " ", api.Backends[0].Reason, " ", web.Name, " ", web.Backends[0].DrainedByHand, " ", web.Backends[1].Weight)
	if want := "api disabled web true 5"; got != want {
		t.Fatalf("status.json: %s, want %s\n%s", got, want, page.Body)
	}
}

// TestStatusPageHidesSecrets runs the daemon with a RADIUS check whose
// server (layeh.com/radius on loopback) rejects the probe: the check error
// shows on /status.json, the password and shared secret never do.
func TestStatusPageHidesSecrets(t *testing.T) {
	const secret, password = "page-test-shared-secret-7f3a", "page-test-password-91c2"
	pc, err := net.ListenPacket("udp", "127.0.0.6:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	srv := &radius.PacketServer{SecretSource: radius.StaticSecretSource([]byte(secret)),
		Handler: radius.HandlerFunc(func(w radius.ResponseWriter, r *radius.Request) {
			w.Write(r.Response(radius.CodeAccessReject))
		})}
	go srv.Serve(pc)
	port := pc.LocalAddr().(*net.UDPAddr).Port
	d, _ := fakeDeps(t)
	dir := writeConfig(t, map[string]string{"node.yaml": planNode, "radius-secret": secret + "\n", "radius-password": password + "\n",
		"aaa.yaml": fmt.Sprintf("services:\n  - name: aaa\n    vip: 192.0.2.12\n    ports: [{proto: udp, port: 1812}]\n    forward: nat\n"+
			"    checks: [{type: radius, user: seesaw-probe, password_file: radius-password, secret_file: radius-secret, interval: 100ms, timeout: 80ms}]\n"+
			"    backends: [{address: 127.0.0.6, port: %d}]\n", port)})
	socket, logs := startDaemon(t, d, dir)
	var body string
	eventually(t, "the rejected RADIUS check on /status.json", func() bool {
		resp, err := http.Get("http://" + statusOf(t, socket).Metrics + "/status.json")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		body = string(b)
		return err == nil && strings.Contains(body, "Access-Reject")
	})
	for _, s := range []string{body, logs.String()} {
		if strings.Contains(s, secret) || strings.Contains(s, password) {
			t.Fatalf("a secret appears:\n%s", s)
		}
	}
}

// startDaemon runs the daemon on dir (metrics on a free loopback port)
// until the test ends and waits for its control socket; the log is shown
// if the test failed.
func startDaemon(t *testing.T, d deps, dir string) (socket string, logs *syncBuffer) {
	t.Helper()
	socket = filepath.Join(t.TempDir(), "ctl.sock")
	ctx, cancel := context.WithCancel(context.Background())
	logs, done := &syncBuffer{}, make(chan int, 1)
	go func() {
		done <- runDaemon(ctx, d, make(chan os.Signal), []string{"--config-dir", dir, "--control-socket", socket, "--metrics-address", "127.0.0.1:0"}, logs, logs)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		if t.Failed() {
			t.Logf("daemon log:\n%s", logs.String())
		}
	})
	eventually(t, "the daemon's status", func() bool { return ctl(socket, "status") == nil })
	return socket, logs
}
