package hooks

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// docScript returns the shell block of docs/operations.md whose second
// line names path.
func docScript(t *testing.T, path string) string {
	t.Helper()
	doc, err := os.ReadFile("../../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, block := range strings.Split(string(doc), "```sh\n")[1:] {
		body, _, _ := strings.Cut(block, "```\n")
		if lines := strings.SplitN(body, "\n", 3); len(lines) > 1 && strings.HasPrefix(lines[1], "# "+path) {
			return body
		}
	}
	t.Fatalf("docs/operations.md has no sh block for %s", path)
	return ""
}

// TestDocumentedWebhookExample runs the worked example's webhook script of
// docs/operations.md as a hook against a local HTTP server: the JSON it
// posts carries the event.
func TestDocumentedWebhookExample(t *testing.T) {
	for _, tool := range []string{"jq", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the example needs %s: %v", tool, err)
		}
	}
	got := make(chan map[string]any, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("posted %q (%s): %v", b, r.Header.Get("Content-Type"), err)
		}
		got <- m
	}))
	defer srv.Close()
	prog := script(t, strings.TrimPrefix(docScript(t, "/usr/local/lib/seesaw/webhook"), "#!/bin/sh\n"))
	r, logs := newRunner(t, Options{})
	r.Update([]Hook{{Name: "page-oncall", On: []string{"service_down"}, Run: []string{prog, srv.URL}, Timeout: 20 * time.Second}})
	r.Notify(Event{Kind: "service_down", Node: "lb1", Instance: "default", State: "down", PreviousState: "up",
		Service: `web "eu"`, VIPs: []netip.Addr{netip.MustParseAddr("192.0.2.10")}, Time: time.Date(2026, 12, 4, 19, 0, 0, 0, time.UTC)})
	var m map[string]any
	select {
	case m = <-got:
	case <-time.After(20 * time.Second):
		t.Fatalf("nothing posted; log:\n%s", logs)
	}
	want := map[string]any{"text": `lb1: service_down web "eu" (up -> down)`, "node": "lb1", "event": "service_down",
		"instance": "default", "state": "down", "previous": "up", "reason": "", "service": `web "eu"`,
		"at": "2026-12-04T19:00:00Z", "seq": 1.0}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %#v, want %#v", k, m[k], v)
		}
	}
	if vips, _ := m["vips"].([]any); len(vips) != 1 || vips[0] != "192.0.2.10" {
		t.Errorf("vips = %#v", m["vips"])
	}
	waitFor(t, "the run to end", func() bool { return r.Stats()["page-oncall"].OK == 1 })
}

// TestDocumentedSyslogExample runs the worked example's syslog script with
// its logger replaced by a script that records its arguments: the message
// carries the event.
func TestDocumentedSyslogExample(t *testing.T) {
	body := docScript(t, "/usr/local/lib/seesaw/to-syslog")
	dir := t.TempDir()
	out := filepath.Join(dir, "logged")
	logger := script(t, `printf '%s\n' "$@" > `+out)
	body = strings.Replace(body, "exec logger ", "exec "+logger+" ", 1)
	prog := script(t, strings.TrimPrefix(body, "#!/bin/sh\n"))
	r, _ := newRunner(t, Options{})
	r.Update([]Hook{{Name: "syslog", On: []string{"master"}, Run: []string{prog}}})
	r.Notify(Event{Kind: "master", Instance: "default", State: "master", PreviousState: "backup", Reason: "master-down",
		VIPs: []netip.Addr{netip.MustParseAddr("192.0.2.10")}})
	waitFor(t, "the run", func() bool { return r.Stats()["syslog"].OK == 1 })
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want := "-t\nseesaw-hook\n-p\ndaemon.notice\nevent=master instance=default service=\nstate=backup->master reason=master-down vips=192.0.2.10 seq=1\n"
	if string(b) != want {
		t.Errorf("logger got:\n%s\nwant:\n%s", b, want)
	}
}
