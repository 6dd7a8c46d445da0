package daemon

import (
	"net/netip"
	"testing"

	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/reconcile"
)

// TestStatusShowsCheckServices: the check services of dsr/tunnel checks are
// listed in status, labelled as check services (the table is tested where
// it is rendered, in the command).
func TestStatusShowsCheckServices(t *testing.T) {
	marks := reconcile.CheckMarks{
		{Path: reconcile.CheckPath{Family: kernel.IPv4, Backend: netip.MustParseAddr("198.51.100.21"),
			Dest: kernel.DestinationConfig{Forward: kernel.ForwardDirect, Weight: 1}}, Mark: 60000},
		{Path: reconcile.CheckPath{Family: kernel.IPv6, Backend: netip.MustParseAddr("2001:db8::21"),
			Dest: kernel.DestinationConfig{Forward: kernel.ForwardTunnel, TunnelType: kernel.TunnelIPIP, Weight: 1}}, Mark: 60001},
	}
	got := checkServiceReports(marks)
	want := []CheckServiceReport{
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
}
