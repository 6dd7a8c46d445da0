package kapeer

import (
	"testing"
	"time"
)

// TestConf: a peer renders as the keepalived.conf the interop tests were
// written against: the sync group first, then each instance,
// tab-indented, nopreempt and the unicast block only where set.
func TestConf(t *testing.T) {
	p := Peer{RouterID: "ka2", SyncGroup: []string{"web", "db"}, Instances: []Instance{
		{Name: "web", VRID: 61, Priority: 100, Advert: 1200 * time.Millisecond, VIPs: []string{"192.0.2.10/32"}},
		{Name: "db", VRID: 62, Priority: 150, Advert: 100 * time.Millisecond, NoPreempt: true, VIPs: []string{"192.0.2.20/32", "192.0.2.50/24"},
			UnicastPeers: []string{"203.0.113.1"}, UnicastSrc: "203.0.113.2", UnicastTTL: 255},
	}}
	want := "global_defs {\n\trouter_id ka2\n\tvrrp_version 3\n}\n" +
		"vrrp_sync_group LVS {\n\tgroup {\n\t\tVI_web\n\t\tVI_db\n\t}\n}\n" +
		"vrrp_instance VI_web {\n\tstate BACKUP\n\tinterface eth0\n\tvirtual_router_id 61\n\tpriority 100\n\tadvert_int 1.2\n" +
		"\tvirtual_ipaddress {\n\t\t192.0.2.10/32\n\t}\n}\n" +
		"vrrp_instance VI_db {\n\tstate BACKUP\n\tinterface eth0\n\tvirtual_router_id 62\n\tpriority 150\n\tadvert_int 0.1\n" +
		"\tnopreempt\n\tvirtual_ipaddress {\n\t\t192.0.2.20/32\n\t\t192.0.2.50/24\n\t}\n" +
		"\tunicast_src_ip 203.0.113.2\n\tunicast_ttl 255\n\tunicast_peer {\n\t\t203.0.113.1\n\t}\n}\n"
	if got := p.Conf(); got != want {
		t.Errorf("keepalived.conf:\n%s\nwant:\n%s", got, want)
	}
}
