package desired

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"
)

// bgpNode is a node with a complete bgp section.
const bgpNode = nodeYAML + `  bgp:
    asn: 4200000001
    router_id: 203.0.113.1
    announce: [192.0.2.0/24, 2001:db8:10::/64]
    next_hop_ipv6: 2001:db8:ffff::1
    communities: [65000:100, no-export]
    large_communities: [4200000001:1:2]
    med: 50
    local_pref: 200
    as_path_prepend: 2
    shutdown_grace: 3s
    listen_port: 1179
    peers:
      - {address: 203.0.113.254, asn: 65000, password_file: bgp.key, hold_time: 9s, bfd: true}
      - {address: 2001:db8:ffff::fe, asn: 4200000001, multihop_ttl: 2, keepalive: 10s, graceful_restart: 120s, passive: true}
`

// TestBGPConfig: a full bgp section decodes into the values written, with
// defaults for the keys left out.
func TestBGPConfig(t *testing.T) {
	dir := writeDir(t, map[string]string{"node.yaml": bgpNode, "bgp.key": "s3cret\n"})
	b := mustLoad(t, dir).Node.BGP
	if b == nil {
		t.Fatal("node.bgp decoded to nil")
	}
	if b.ASN != 4200000001 || b.RouterID != netip.MustParseAddr("203.0.113.1") || b.ListenPort != 1179 ||
		b.Prepend != 2 || b.ShutdownGrace != 3*time.Second || *b.MED != 50 || *b.LocalPref != 200 {
		t.Errorf("bgp = %+v", b)
	}
	if !slices.Equal(b.Communities, []uint32{65000<<16 | 100, 0xFFFFFF01}) {
		t.Errorf("communities = %x", b.Communities)
	}
	if want := []LargeCommunity{{4200000001, 1, 2}}; !slices.Equal(b.LargeCommunities, want) {
		t.Errorf("large communities = %v, want %v", b.LargeCommunities, want)
	}
	if b.NextHopIPv4.IsValid() || b.NextHopIPv6 != netip.MustParseAddr("2001:db8:ffff::1") {
		t.Errorf("next hops = %v %v", b.NextHopIPv4, b.NextHopIPv6)
	}
	if !b.Announces(netip.MustParseAddr("192.0.2.7")) || b.Announces(netip.MustParseAddr("198.51.100.1")) {
		t.Error("Announces does not follow announce")
	}
	if len(b.Peers) != 2 {
		t.Fatalf("peers = %+v", b.Peers)
	}
	p0, p1 := b.Peers[0], b.Peers[1]
	if p0.Password.Value() != "s3cret" || p0.Port != 179 || p0.HoldTime != 9*time.Second || p0.Keepalive != 3*time.Second ||
		p0.BFD == nil || p0.BFD.Interval != 300*time.Millisecond || p0.BFD.Multiplier != 3 || p0.IBGP(b.ASN) {
		t.Errorf("peer 0 = %+v", p0)
	}
	if p1.HoldTime != 90*time.Second || p1.Keepalive != 10*time.Second || p1.MultihopTTL != 2 || !p1.Passive ||
		p1.GracefulRestart != 120*time.Second || p1.BFD != nil || !p1.IBGP(b.ASN) || !p1.Password.IsZero() {
		t.Errorf("peer 1 = %+v", p1)
	}
	if s := b.Peers[0].Password.String(); s != redacted {
		t.Errorf("password prints as %q", s)
	}
}

// TestBGPConfigErrors: each bad bgp key is refused with its file:line:col.
func TestBGPConfigErrors(t *testing.T) {
	const peer = "    peers: [{address: 203.0.113.254, asn: 65000}]\n"
	head := nodeYAML + "  bgp:\n    asn: 65001\n    router_id: 203.0.113.1\n    announce: [192.0.2.0/24]\n"
	tests := []struct {
		name string
		bgp  string
		want []string
	}{
		{"empty", nodeYAML + "  bgp: {}\n", []string{
			"node.yaml:4:8: node.bgp.announce: missing: the prefixes whose VIPs are announced (like [192.0.2.0/24])",
			"node.yaml:4:8: node.bgp.asn: missing: the local autonomous system number",
			"node.yaml:4:8: node.bgp.peers: missing: at least one router to peer with",
			"node.yaml:4:8: node.bgp.router_id: missing: the BGP identifier, an IPv4 address unique among the peers"}},
		{"as_trans", strings.Replace(head, "65001", "23456", 1) + peer, []string{
			"node.yaml:5:10: node.bgp.asn: 23456 is AS_TRANS (RFC 6793), not a real AS number"}},
		{"asn too big", strings.Replace(head, "65001", "4294967296", 1) + peer, []string{
			"node.yaml:5:10: node.bgp.asn: 4294967296 is out of range 1..4294967295"}},
		{"ipv6 router id", strings.Replace(head, "203.0.113.1", "2001:db8::1", 1) + peer, []string{
			"node.yaml:6:16: node.bgp.router_id: 2001:db8::1 is not an ipv4 address"}},
		{"next hop family", head + "    next_hop_ipv4: 2001:db8::1\n" + peer, []string{
			"node.yaml:8:20: node.bgp.next_hop_ipv4: 2001:db8::1 is not an ipv4 address"}},
		{"bad community", head + "    communities: [65536:1, '1:2:3']\n" + peer, []string{
			`node.yaml:8:19: node.bgp.communities[0]: "65536:1" is not a community ASN:VALUE (each 0..65535) or no-export, no-advertise, no-export-subconfed`,
			`node.yaml:8:28: node.bgp.communities[1]: "1:2:3" is not a community ASN:VALUE (each 0..65535) or no-export, no-advertise, no-export-subconfed`}},
		{"bad large community", head + "    large_communities: ['1:2']\n" + peer, []string{
			`node.yaml:8:25: node.bgp.large_communities[0]: "1:2" is not a large community GLOBAL:LOCAL1:LOCAL2 (each 0..4294967295)`}},
		{"prepend too long", head + "    as_path_prepend: 11\n" + peer, []string{
			"node.yaml:8:22: node.bgp.as_path_prepend: 11 is out of range 0..10"}},
		{"local_pref without ibgp", head + "    local_pref: 200\n" + peer, []string{
			"node.yaml:8:17: node.bgp.local_pref: local_pref is only sent to iBGP peers and no peer has asn 65001; use med towards eBGP routers"}},
		{"peer twice", head + "    peers: [{address: 203.0.113.254, asn: 65000}, {address: 203.0.113.254, asn: 65002}]\n", []string{
			"node.yaml:8:51: node.bgp.peers[1]: peer 203.0.113.254 is listed twice"}},
		{"peer missing keys", head + "    peers: [{port: 1179}]\n", []string{
			"node.yaml:5:5: node.bgp.peers: missing: at least one router to peer with",
			"node.yaml:8:13: node.bgp.peers[0].address: missing: the neighbour's address",
			"node.yaml:8:13: node.bgp.peers[0].asn: missing: the neighbour's autonomous system number"}},
		{"hold time", head + "    peers: [{address: 203.0.113.254, asn: 65000, hold_time: 2s}]\n", []string{
			"node.yaml:8:61: node.bgp.peers[0].hold_time: 2s is not 0s or whole seconds from 3s to 65535s (RFC 4271)"}},
		{"keepalive not below hold", head + "    peers: [{address: 203.0.113.254, asn: 65000, hold_time: 9s, keepalive: 9s}]\n", []string{
			"node.yaml:8:76: node.bgp.peers[0].keepalive: keepalive 9s is not shorter than hold_time 9s"}},
		{"local address family", head + "    peers: [{address: 203.0.113.254, asn: 65000, local_address: 2001:db8::1}]\n", []string{
			"node.yaml:8:65: node.bgp.peers[0].local_address: local address 2001:db8::1 is not of the family of peer 203.0.113.254"}},
		{"bfd multihop", head + "    peers: [{address: 203.0.113.254, asn: 65000, multihop_ttl: 3, bfd: {interval: 5ms}}]\n", []string{
			"node.yaml:8:72: node.bgp.peers[0].bfd: BFD is single-hop only (RFC 5881); a multihop_ttl peer cannot use it",
			"node.yaml:8:83: node.bgp.peers[0].bfd.interval: 5ms is shorter than the minimum 10ms"}},
		{"graceful restart too long", head + "    peers: [{address: 203.0.113.254, asn: 65000, graceful_restart: 4096s}]\n", []string{
			"node.yaml:8:68: node.bgp.peers[0].graceful_restart: 1h8m16s is not whole seconds from 0s to 1h8m15s"}},
		{"password file missing", head + "    peers: [{address: 203.0.113.254, asn: 65000, password_file: nope.key}]\n", []string{
			"node.yaml:8:65: node.bgp.peers[0].password_file: read secret file DIR/nope.key: open DIR/nope.key: no such file or directory"}},
		{"passive without listening", head + "    peers: [{address: 203.0.113.254, asn: 65000, passive: true}]\n", []string{
			"node.yaml:5:5: node.bgp.peers[0]: peer 203.0.113.254 is passive but listen_port is 0: nothing would ever connect"}},
		{"unknown key", head + "    hold_time: 9s\n" + peer, []string{
			`node.yaml:8:5: node.bgp.hold_time: unknown key "hold_time"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeDir(t, map[string]string{"node.yaml": tt.bgp})
			got := loadErrors(t, dir)
			for i := range got {
				got[i] = replaceDir(got[i], dir)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("errors:\n%s\nwant:\n%s", join(got), join(tt.want))
			}
		})
	}
}
