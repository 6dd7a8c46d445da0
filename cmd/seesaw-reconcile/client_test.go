package main

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"sync"
	"testing"
)

func TestBackendArg(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
		rest int
	}{
		{[]string{"198.51.100.1"}, "198.51.100.1", 0},
		{[]string{"198.51.100.1", "--socket", "/s"}, "198.51.100.1", 2},
		{[]string{"--socket", "/s", "198.51.100.1:80"}, "198.51.100.1:80", 2},
		{[]string{"--socket=/s", "198.51.100.1"}, "198.51.100.1", 1},
		{[]string{"--socket", "/s"}, "", 2},
	} {
		got, rest := backendArg(tc.args)
		if got != tc.want || len(rest) != tc.rest {
			t.Errorf("backendArg(%q) = %q, %q; want %q and %d left", tc.args, got, rest, tc.want, tc.rest)
		}
	}
}

// fakeControl serves the control protocol on a unix socket: each request's
// method and path (with the backend) is recorded, and refused with the
// given error when refuse names it.
func fakeControl(t *testing.T, refuse map[string]string) (string, *requests) {
	t.Helper()
	socket := filepath.Join(t.TempDir(), "ctl.sock")
	ln, err := net.Listen("unix", socket)
	if err != nil {
		t.Fatal(err)
	}
	seen := &requests{}
	srv := &http.Server{Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		req := r.Method + " " + r.URL.Path
		if b := r.URL.Query().Get("backend"); b != "" {
			req += " " + b
		}
		if in := r.URL.Query().Get("instance"); in != "" {
			req += " instance=" + in
		}
		seen.add(req)
		rw.Header().Set("Content-Type", "application/json")
		if msg, ok := refuse[req]; ok {
			rw.WriteHeader(http.StatusConflict)
			fmt.Fprintf(rw, "{\"ok\":false,\"error\":%q}\n", msg)
			return
		}
		if req == "GET /status" {
			fmt.Fprint(rw, `{"ok":true,"status":{"node":"lb1","vrrp":{"state":"standalone","active":true},"generation":3,`+
				`"files":["node.yaml"],"last_reconcile":{"at":"2026-01-02T03:04:05Z","applied":{},"failed":{}},`+
				`"services":[],"drained_by_hand":["198.51.100.1"]}}`+"\n")
			return
		}
		fmt.Fprint(rw, "{\"ok\":true}\n")
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return socket, seen
}

// requests are the requests a fake control socket received.
type requests struct {
	mu   sync.Mutex
	list []string
}

func (r *requests) add(req string) { r.mu.Lock(); r.list = append(r.list, req); r.mu.Unlock() }

// take returns the requests received and forgets them.
func (r *requests) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	l := r.list
	r.list = nil
	return l
}

// TestClientCommands runs status, failover, drain and enable against a
// fake control socket: the request each sends, its exit code and output.
func TestClientCommands(t *testing.T) {
	socket, seen := fakeControl(t, map[string]string{"POST /failover": "failover: no vrrp section: this node is standalone",
		"POST /undrain-node": "undrain-node: no node.bgp section: this node announces nothing over BGP"})
	tests := []struct {
		args   []string
		code   int
		stdout string // exact when it ends with "\n", else a substring
		stderr string
		req    string
	}{
		{[]string{"status", "--socket", socket}, 0, "node lb1  vrrp standalone\nconfig generation 3 from node.yaml", "", "GET /status"},
		{[]string{"status", "--socket", socket}, 0, "\ndrained by hand: 198.51.100.1\n\nSERVICE", "", "GET /status"},
		{[]string{"status", "--output", "json", "--socket", socket}, 0, "\"drained_by_hand\": [\n    \"198.51.100.1\"\n  ]", "", "GET /status"},
		{[]string{"failover", "--socket", socket}, 1, "", "failover: failover: no vrrp section: this node is standalone\n", "POST /failover"},
		{[]string{"failover", "--instance", "web", "--socket", socket}, 0, "stepped down from instance web: the best backup takes over\n", "", "POST /failover instance=web"},
		{[]string{"drain", "198.51.100.1:80", "--socket", socket}, 0, "drain 198.51.100.1:80: done\n", "", "POST /drain 198.51.100.1:80"},
		{[]string{"enable", "--socket", socket, "198.51.100.1"}, 0, "enable 198.51.100.1: done\n", "", "POST /enable 198.51.100.1"},
		{[]string{"drain-node", "--socket", socket}, 0, "drained: every BGP route is withdrawn; established flows keep being served\n", "", "POST /drain-node"},
		{[]string{"undrain-node", "--socket", socket}, 1, "", "undrain-node: undrain-node: no node.bgp section: this node announces nothing over BGP\n", "POST /undrain-node"},
		{[]string{"drain", "not-an-address", "--socket", socket}, 2, "", `drain: backend "not-an-address": want ADDRESS or ADDRESS:PORT` + "\n", ""},
		{[]string{"status", "--socket", filepath.Join(t.TempDir(), "none.sock")}, 1, "", "status: control socket ", ""},
	}
	for _, tc := range tests {
		var stdout, stderr bytes.Buffer
		code := run(tc.args, &stdout, &stderr)
		if code != tc.code {
			t.Errorf("%q: exit code %d, want %d\nstdout: %s\nstderr: %s", tc.args, code, tc.code, &stdout, &stderr)
		}
		check(t, "stdout", stdout.String(), tc.stdout)
		check(t, "stderr", stderr.String(), tc.stderr)
		got := seen.take()
		if want := []string{tc.req}; tc.req != "" && !slices.Equal(got, want) || tc.req == "" && len(got) > 0 {
			t.Errorf("%q: requests %q, want %q", tc.args, got, tc.req)
		}
	}
}
