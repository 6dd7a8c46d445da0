package desired

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// nodeWithIPVS is nodeYAML with an `ipvs:` section.
func nodeWithIPVS(ipvs string) string { return nodeYAML + "  ipvs: " + ipvs + "\n" }

// TestIPVSDefaults: without `ipvs:` the node keeps expire_nodest_conn and
// expire_quiescent_template at 1, sets no timeout and leaves the rest.
func TestIPVSDefaults(t *testing.T) {
	cfg := mustLoad(t, writeDir(t, map[string]string{"node.yaml": nodeYAML}))
	want := IPVSSettings{Sysctls: []Sysctl{{"expire_nodest_conn", 1}, {"expire_quiescent_template", 1}}}
	if !reflect.DeepEqual(cfg.Node.IPVS, want) {
		t.Errorf("Node.IPVS = %+v, want %+v", cfg.Node.IPVS, want)
	}
	if _, ok := cfg.Node.IPVS.Sysctl("conntrack"); ok {
		t.Error("conntrack is kept without being written")
	}
}

// TestIPVSSettings: every key decodes; a default is overridden by writing
// the key; the list is in name order.
func TestIPVSSettings(t *testing.T) {
	cfg := mustLoad(t, writeDir(t, map[string]string{"node.yaml": nodeWithIPVS(
		"{timeouts: {tcp: 1h, tcp_fin: 30s, udp: 596h31m23s}, expire_nodest_conn: false, conntrack: true, " +
			"conn_reuse_mode: 2, sloppy_tcp: true, sloppy_sctp: false}")}))
	want := IPVSSettings{
		Timeouts: IPVSTimeouts{TCP: time.Hour, TCPFin: 30 * time.Second, UDP: MaxIPVSTimeout},
		Sysctls: []Sysctl{{"conn_reuse_mode", 2}, {"conntrack", 1}, {"expire_nodest_conn", 0},
			{"expire_quiescent_template", 1}, {"sloppy_sctp", 0}, {"sloppy_tcp", 1}},
	}
	if !reflect.DeepEqual(cfg.Node.IPVS, want) {
		t.Errorf("Node.IPVS = %+v\nwant %+v", cfg.Node.IPVS, want)
	}
	s := cfg.Node.IPVS.Sysctls[0]
	if s.Key() != "net.ipv4.vs.conn_reuse_mode" || s.Path() != "net/ipv4/vs/conn_reuse_mode" {
		t.Errorf("Key %q Path %q", s.Key(), s.Path())
	}
	cfg = mustLoad(t, writeDir(t, map[string]string{"node.yaml": nodeWithIPVS("{timeouts: {udp: 10s}}")}))
	if got := cfg.Node.IPVS.Timeouts; got != (IPVSTimeouts{UDP: 10 * time.Second}) {
		t.Errorf("udp only: %+v (the others must stay zero: left as the kernel has them)", got)
	}
}

// TestIPVSInvalid: bad values are errors at their position.
func TestIPVSInvalid(t *testing.T) {
	for _, c := range []struct{ ipvs, want string }{
		{"{timeouts: {tcp: 0s}}", "node.ipvs.timeouts.tcp: 0s is out of range 1s..596h31m23s"},
		{"{timeouts: {tcp: 1500ms}}", "node.ipvs.timeouts.tcp: 1500ms is not a whole number of seconds"},
		{"{timeouts: {udp: 597h}}", "node.ipvs.timeouts.udp: 597h is out of range 1s..596h31m23s"},
		{"{timeouts: {tcp_fin: 120}}", "node.ipvs.timeouts.tcp_fin: duration 120 has no unit"},
		{"{timeouts: {tcpfin: 120s}}", "node.ipvs.timeouts.tcpfin:"},
		{"{timeouts: 900s}", "node.ipvs.timeouts:"},
		{"{conn_reuse_mode: 3}", "node.ipvs.conn_reuse_mode: 3 is out of range 0..2"},
		{"{conntrack: 1}", "node.ipvs.conntrack: want true or false"},
		{"{expire_nodest_conn: yes}", "node.ipvs.expire_nodest_conn: want true or false"},
		{"{backup_only: true}", "node.ipvs.backup_only:"},
	} {
		dir := writeDir(t, map[string]string{"node.yaml": nodeWithIPVS(c.ipvs)})
		if lines := loadErrors(t, dir); !strings.Contains(strings.Join(lines, "\n"), c.want) {
			t.Errorf("ipvs: %s:\n%s\nwant a line with %q", c.ipvs, join(lines), c.want)
		}
	}
}
