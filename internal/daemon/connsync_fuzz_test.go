package daemon

import (
	"strings"
	"testing"
)

// FuzzParseConns: any connection table, however broken, gives connections
// of the handoff's services only (TCP or UDP, IPv4, a client port), at most
// limit of them, or an error; never a panic. The sync messages made of
// them carry each connection once and stay within the message size.
func FuzzParseConns(f *testing.F) {
	f.Add([]byte(connTableSample), uint8(100))
	f.Add([]byte(connTableSample), uint8(1))
	f.Add([]byte(strings.Repeat("TCP CB007102 B0E0 C000020A 0050 C0000215 0050 ESTABLISHED 899\n", 300)), uint8(255))
	f.Add([]byte("Pro FromIP\nTCP C000020A 0050 C000020A 0050 C000020A 0050 ESTABLISHED\n"), uint8(10))
	f.Add([]byte("TCP ::ffff:c000:20a 0050 C000020A 0050 C0000215 0050 SYN_RECV 59 x y\n"), uint8(10))
	services := sampleServices()
	f.Fuzz(func(t *testing.T, table []byte, limit uint8) {
		lim := int(limit)%64 + 1
		conns, skipped, err := parseConns(strings.NewReader(string(table)), services, lim)
		if len(conns) > lim || skipped < 0 {
			t.Fatalf("%d connections (limit %d), %d skipped", len(conns), lim, skipped)
		}
		if err != nil {
			return
		}
		for _, c := range conns {
			if (c.Proto != protoTCP && c.Proto != protoUDP) || !c.belongs(services) || c.Client.Port() == 0 ||
				!c.Client.Addr().Is4() || !c.Virtual.Addr().Is4() || !c.Dest.Addr().Is4() {
				t.Fatalf("parsed %+v, which a handoff must not send", c)
			}
		}
		sent := 0
		for _, m := range encodeSyncMessages(conns, 60, 0) {
			if len(m) > syncMaxMessage || len(m) < syncHeaderLen {
				t.Fatalf("a sync message of %d bytes", len(m))
			}
			sent += int(m[4])
		}
		if sent != len(conns) {
			t.Fatalf("the messages carry %d connections, parsed %d", sent, len(conns))
		}
	})
}
