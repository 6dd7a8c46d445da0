package daemon

import (
	"bytes"
	"encoding/hex"
	"net/netip"
	"strings"
	"testing"

	"github.com/seesaw-lb/seesaw/desired"
)

// connTableSample is /proc/net/ip_vs_conn as Linux 6.1 prints it.
const connTableSample = `Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData
TCP CB007102 B0E0 C000020A 0050 C0000215 0050 ESTABLISHED    899
TCP CB007102 B0E2 C0000214 0050 C0000216 0050 SYN_RECV        59
TCP CB007102 B0E4 C000020A 0050 C0000217 0050 TIME_WAIT      119
TCP CB007102 0000 C000020A 0050 C0000215 0050 NONE           359
UDP CB007102 1F90 C000020A 0035 C0000215 0035 UDP            299
TCP CB007102 B0E6 C0000263 0050 C0000215 0050 ESTABLISHED    899
TCP 2001:0db8:0000:0000:0000:0000:0000:0001 B0E8 2001:0db8:0000:0000:0000:0000:0000:000a 0050 2001:0db8:0000:0000:0000:0000:0000:0015 0050 ESTABLISHED 899
garbage
`

func sampleServices() map[serviceKey]bool {
	return handoffServices(desired.Config{Services: []desired.Service{
		{VIP: netip.MustParseAddr("192.0.2.10"), Ports: []desired.Port{{Proto: desired.TCP, Port: 80}, {Proto: desired.UDP, Port: 53}}},
		{VIP: netip.MustParseAddr("192.0.2.20"), Ports: []desired.Port{{Proto: desired.TCP, Port: 80}}},
		{Fwmark: 7, Ports: []desired.Port{{Proto: desired.TCP, Port: 80}}},
	}})
}

func TestParseConnsKeepsLiveConnectionsOfAddressServices(t *testing.T) {
	conns, skipped, err := parseConns(strings.NewReader(connTableSample), sampleServices(), 100)
	if err != nil {
		t.Fatal(err)
	}
	want := []syncConn{
		{Proto: protoTCP, Client: netip.MustParseAddrPort("203.0.113.2:45280"), Virtual: netip.MustParseAddrPort("192.0.2.10:80"),
			Dest: netip.MustParseAddrPort("192.0.2.21:80"), State: 1},
		{Proto: protoTCP, Client: netip.MustParseAddrPort("203.0.113.2:45282"), Virtual: netip.MustParseAddrPort("192.0.2.20:80"),
			Dest: netip.MustParseAddrPort("192.0.2.22:80"), State: 3},
		{Proto: protoUDP, Client: netip.MustParseAddrPort("203.0.113.2:8080"), Virtual: netip.MustParseAddrPort("192.0.2.10:53"),
			Dest: netip.MustParseAddrPort("192.0.2.21:53"), State: 0},
	}
	if len(conns) != len(want) {
		t.Fatalf("got %d connections %+v, want %d", len(conns), conns, len(want))
	}
	for i := range want {
		if conns[i] != want[i] {
			t.Errorf("connection %d: got %+v, want %+v", i, conns[i], want[i])
		}
	}
	// TIME_WAIT, the template, the unknown VIP, the IPv6 line, garbage.
	if skipped != 5 {
		t.Errorf("skipped %d lines, want 5", skipped)
	}
	if conns, skipped, _ := parseConns(strings.NewReader(connTableSample), sampleServices(), 1); len(conns) != 1 || skipped != 0 {
		t.Errorf("limit 1: got %d connections, %d skipped; want 1 and 0 (reading stops at the limit)", len(conns), skipped)
	}
	// A line left out before the limit is reached is counted.
	skipFirst := strings.Replace(connTableSample, "ESTABLISHED    899\nTCP CB007102 B0E2", "TIME_WAIT      899\nTCP CB007102 B0E2", 1)
	if conns, skipped, _ := parseConns(strings.NewReader(skipFirst), sampleServices(), 1); len(conns) != 1 || skipped != 1 {
		t.Errorf("limit 1 after a skipped line: got %d connections, %d skipped; want 1 and 1", len(conns), skipped)
	}
}

// TestEncodeSyncMessagesMatchesTheKernelFormat checks one message byte for
// byte against struct ip_vs_sync_mesg and struct ip_vs_sync_v4 as
// net/netfilter/ipvs/ip_vs_sync.c lays them out (version 1).
func TestEncodeSyncMessagesMatchesTheKernelFormat(t *testing.T) {
	c := syncConn{Proto: protoTCP, Client: netip.MustParseAddrPort("203.0.113.2:45282"),
		Virtual: netip.MustParseAddrPort("192.0.2.20:80"), Dest: netip.MustParseAddrPort("192.0.2.22:80"), State: 3}
	msgs := encodeSyncMessages([]syncConn{c}, 60, 0)
	if len(msgs) != 1 {
		t.Fatalf("got %d messages, want 1", len(msgs))
	}
	want, _ := hex.DecodeString(strings.Join([]string{
		"00", "3c", "002c", "01", "01", "0000", // reserved, syncid 60, size 44, 1 conn, version 1, spare
		"00", "06", "0024", // type IPv4, TCP, version 0 and size 36
		"00000100",             // flags: inactive (SYN_RECV)
		"0003",                 // state SYN_RECV
		"b0e2", "0050", "0050", // cport, vport, dport
		"00000000", "00000000", // fwmark, timeout
		"cb007102", "c0000214", "c0000216", // caddr, vaddr, daddr
	}, ""))
	if !bytes.Equal(msgs[0], want) {
		t.Errorf("message:\n got %x\nwant %x", msgs[0], want)
	}
	c.State = 1
	if m := encodeSyncMessages([]syncConn{c}, 60, 0)[0]; m[8+4+2] != 0 || m[8+4+3] != 0 {
		t.Errorf("an ESTABLISHED connection is sent inactive: flags %x", m[12:16])
	}
}

func TestEncodeSyncMessagesSplitsAtTheMessageSize(t *testing.T) {
	c := syncConn{Proto: protoTCP, Client: netip.MustParseAddrPort("203.0.113.2:1"),
		Virtual: netip.MustParseAddrPort("192.0.2.20:80"), Dest: netip.MustParseAddrPort("192.0.2.22:80"), State: 1}
	conns := make([]syncConn, 100)
	for i := range conns {
		conns[i] = c
	}
	msgs := encodeSyncMessages(conns, 1, 0)
	total := 0
	for _, m := range msgs {
		if len(m) > syncMaxMessage {
			t.Errorf("message of %d bytes, over %d", len(m), syncMaxMessage)
		}
		if got := int(m[2])<<8 | int(m[3]); got != len(m) {
			t.Errorf("size field %d, message %d bytes", got, len(m))
		}
		total += int(m[4])
	}
	if total != 100 || len(msgs) != 3 { // 40 per 1472-byte message
		t.Errorf("got %d connections in %d messages, want 100 in 3", total, len(msgs))
	}
	if msgs := encodeSyncMessages(conns[:3], 1, 50); len(msgs) != 3 {
		t.Errorf("max length 50: got %d messages, want one per connection", len(msgs))
	}
}
