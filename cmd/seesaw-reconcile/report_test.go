package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/seesaw-lb/seesaw/internal/daemon"
)

// TestStatusShowsCheckServices: the status table lists the check services
// of dsr/tunnel checks, labelled as check services.
func TestStatusShowsCheckServices(t *testing.T) {
	got := []daemon.CheckServiceReport{
		{Service: "fwmark/60000", Backend: "198.51.100.21", Forward: "dr"},
		{Service: "fwmark6/60001", Backend: "2001:db8::21", Forward: "tunnel ipip"},
	}
	var b bytes.Buffer
	renderStatus(&b, daemon.StatusReport{Node: "lb1", CheckServices: got})
	for _, re := range []string{`(?m)^CHECK SERVICE\s+BACKEND\s+FORWARD$`, `(?m)^fwmark/60000\s+198\.51\.100\.21\s+dr$`, `(?m)^fwmark6/60001\s+2001:db8::21\s+tunnel ipip$`} {
		if !regexp.MustCompile(re).Match(b.Bytes()) {
			t.Errorf("status table lacks %s:\n%s", re, b.String())
		}
	}
	b.Reset()
	renderStatus(&b, daemon.StatusReport{Node: "lb1"})
	if bytes.Contains(b.Bytes(), []byte("CHECK SERVICE")) {
		t.Errorf("a node without check services shows the section:\n%s", b.String())
	}
}

// TestStatusTableShowsDrainAndHealth: the status table names the backends
// drained by hand and marks an unhealthy backend.
func TestStatusTableShowsDrainAndHealth(t *testing.T) {
	var b bytes.Buffer
	renderStatus(&b, daemon.StatusReport{Node: "lb1", Drained: []string{"127.0.0.2:8080"},
		Services: []daemon.ServiceReport{{Name: "web", Backends: []daemon.BackendReport{
			{Address: "127.0.0.2:8080", Weight: 2, Reason: "disabled", Healthy: true, DrainedByHand: true},
			{Address: "127.0.0.3:8080", Weight: 1, Reason: "unhealthy"},
		}}}})
	for _, re := range []string{`(?m)^drained by hand: 127\.0\.0\.2:8080$`, `(?m)127\.0\.0\.2:8080\s+2\s+0 \(disabled\)\s+healthy, drained by hand`,
		`(?m)127\.0\.0\.3:8080\s+1\s+0 \(unhealthy\)\s+unhealthy`} {
		if !regexp.MustCompile(re).Match(b.Bytes()) {
			t.Errorf("status table lacks %s:\n%s", re, b.String())
		}
	}
}

func TestStatusShowsDegradedParts(t *testing.T) {
	var b bytes.Buffer
	renderStatus(&b, daemon.StatusReport{Node: "lb1", Degraded: map[string]string{
		"metrics":        "metrics address 127.0.0.1:9847: address already in use; retrying in 2s",
		"overrides file": "read overrides: unexpected end of JSON input; started without manual drains",
	}})
	want := "degraded metrics: metrics address 127.0.0.1:9847: address already in use; retrying in 2s\n" +
		"degraded overrides file: read overrides: unexpected end of JSON input; started without manual drains\n"
	if !strings.Contains(b.String(), want) {
		t.Fatalf("status lacks the degraded parts, in order:\n%s", b.String())
	}
}

// TestStatusTableEscapesControls: names and check results with control
// characters (from a daemon of another version, or from a backend's reply)
// are printed escaped, one row each, and a multi-line config error keeps
// its lines.
func TestStatusTableEscapesControls(t *testing.T) {
	var b bytes.Buffer
	renderStatus(&b, daemon.StatusReport{Node: "lb\x1b[2J1", ConfigError: "a.yaml:1: x\nb.yaml:2: y\x07",
		Services: []daemon.ServiceReport{{Name: "we\tb\x1b[31m", Backends: []daemon.BackendReport{
			{Address: "127.0.0.2:8080", Weight: 1, Reason: "unhealthy", LastCheck: "got \"bad\r\nX-Evil: 1\""},
		}}}})
	out := b.String()
	for _, want := range []string{`node lb\x1b[2J1  vrrp`, "config error held back: a.yaml:1: x\n  b.yaml:2: y\\a\n",
		`we\tb\x1b[31m  down`, `got "bad\r\nX-Evil: 1"`} {
		if !strings.Contains(out, want) {
			t.Errorf("status table lacks %q:\n%s", want, out)
		}
	}
	if strings.ContainsAny(out, "\x1b\x07\r\t") {
		t.Errorf("status table holds control characters: %q", out)
	}
}

// TestStatusTableMarksFallbacks: a fallback is marked as one, and a service
// on its fallbacks says so in its state.
func TestStatusTableMarksFallbacks(t *testing.T) {
	var b bytes.Buffer
	renderStatus(&b, daemon.StatusReport{Node: "lb1",
		Services: []daemon.ServiceReport{{Name: "web", Enabled: 1, Low: 0.5, High: 0.5, FallbackInUse: 1, Backends: []daemon.BackendReport{
			{Address: "198.51.100.1", Weight: 1, Reason: "service down"},
			{Address: "203.0.113.99", Weight: 3, Effective: 3, Reason: "fallback", Healthy: true, Fallback: true},
		}}}})
	for _, re := range []string{`(?m)^web\s+down \(fallback\)\s+0/1`, `(?m)198\.51\.100\.1\s+1\s+0 \(service down\)`,
		`(?m)203\.0\.113\.99 \(fallback\)\s+3\s+3 \(fallback\)\s+healthy`} {
		if !regexp.MustCompile(re).Match(b.Bytes()) {
			t.Errorf("status table lacks %s:\n%s", re, b.String())
		}
	}
}

// TestStatusListsVRRPInstances: a node with several VRRP instances gets one
// line per instance; the one instance of node.vrrp keeps the short header.
func TestStatusListsVRRPInstances(t *testing.T) {
	var b strings.Builder
	renderStatus(&b, daemon.StatusReport{Node: "lb1", VRRP: daemon.VRRPReport{State: "master", Priority: 150, Instances: []daemon.InstanceReport{
		{Name: "web", VRID: 61, Interface: "eth0", State: "master", Priority: 150, Active: true, Addresses: 2, SyncGroup: "lvs"},
		{Name: "db", VRID: 62, Interface: "eth0", State: "backup", Priority: 100, Master: "203.0.113.2"},
	}}})
	for _, want := range []string{
		"INSTANCE  VRID  INTERFACE  STATE   PRIORITY  HOLDS    MASTER       SYNC GROUP\n",
		"web       61    eth0       master  150       yes (2)  -            lvs\n",
		"db        62    eth0       backup  100       no       203.0.113.2  -\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("status lacks %q:\n%s", want, b.String())
		}
	}
	b.Reset()
	renderStatus(&b, daemon.StatusReport{Node: "lb1", VRRP: daemon.VRRPReport{State: "master", Instances: []daemon.InstanceReport{{Name: "default"}}}})
	if strings.Contains(b.String(), "INSTANCE") {
		t.Errorf("the one default instance got an instance table:\n%s", b.String())
	}
}
