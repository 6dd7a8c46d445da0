package main

import (
	"bytes"
	"net/netip"
	"regexp"
	"testing"

	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/reconcile"
)

// TestStatusShowsCheckServices: the check services of dsr/tunnel checks are
// listed in status, labelled as check services, in JSON and in the table.
func TestStatusShowsCheckServices(t *testing.T) {
	marks := reconcile.CheckMarks{
		{Path: reconcile.CheckPath{Family: kernel.IPv4, Backend: netip.MustParseAddr("198.51.100.21"),
			Dest: kernel.DestinationConfig{Forward: kernel.ForwardDirect, Weight: 1}}, Mark: 60000},
		{Path: reconcile.CheckPath{Family: kernel.IPv6, Backend: netip.MustParseAddr("2001:db8::21"),
			Dest: kernel.DestinationConfig{Forward: kernel.ForwardTunnel, TunnelType: kernel.TunnelIPIP, Weight: 1}}, Mark: 60001},
	}
	got := checkServiceReports(marks)
	want := []checkServiceReport{
		{Service: "fwmark/60000", Backend: "198.51.100.21", Forward: "dr"},
		{Service: "fwmark6/60001", Backend: "2001:db8::21", Forward: "tunnel ipip"},
	}
	if len(got) != len(want) {
		t.Fatalf("check services %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("check service %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	var b bytes.Buffer
	renderStatus(&b, statusReport{Node: "lb1", CheckServices: got})
	for _, re := range []string{`(?m)^CHECK SERVICE\s+BACKEND\s+FORWARD$`, `(?m)^fwmark/60000\s+198\.51\.100\.21\s+dr$`, `(?m)^fwmark6/60001\s+2001:db8::21\s+tunnel ipip$`} {
		if !regexp.MustCompile(re).Match(b.Bytes()) {
			t.Errorf("status table lacks %s:\n%s", re, b.String())
		}
	}
	b.Reset()
	renderStatus(&b, statusReport{Node: "lb1"})
	if bytes.Contains(b.Bytes(), []byte("CHECK SERVICE")) {
		t.Errorf("a node without check services shows the section:\n%s", b.String())
	}
}
