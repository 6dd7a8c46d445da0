package kernel

import (
	"net/netip"
	"testing"

	"github.com/mdlayher/netlink"
)

func FuzzDecodeService(f *testing.F) {
	f.Add(serviceNest(f, NewServiceKey(TCP, netip.MustParseAddr("192.0.2.10"), 80), ServiceConfig{Scheduler: "wrr", Flags: FlagPersistent, Timeout: 300}))
	f.Add(serviceNest(f, NewFWMarkKey(IPv6, 5), ServiceConfig{Scheduler: "sh", PEName: "sip", Netmask: PrefixNetmask(64)}))
	f.Fuzz(func(t *testing.T, b []byte) {
		svc, err := DecodeService(b)
		if err == nil && svc.Key.Family != IPv4 && svc.Key.Family != IPv6 {
			t.Fatalf("decoded a service of family %d", svc.Key.Family)
		}
	})
}

func FuzzDecodeDestination(f *testing.F) {
	ae := netlink.NewAttributeEncoder()
	encodeDestKey(ae, NewDestinationKey(netip.MustParseAddr("198.51.100.21"), 80))
	encodeDestConfig(ae, DestinationConfig{Forward: ForwardTunnel, Weight: 10, TunnelType: TunnelGUE, TunnelPort: 6080})
	ae.Nested(destStats, func(nae *netlink.AttributeEncoder) error { nae.Uint32(statsConns, 1); return nil })
	b, _ := ae.Encode()
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := DecodeDestination(b, IPv6)
		if err == nil && !d.Key.Addr.IsValid() {
			t.Fatal("decoded a destination without an address")
		}
	})
}

func FuzzSplitMessages(f *testing.F) {
	f.Add(appendMessage(appendMessage(nil, message{Type: 0x20, Flags: nlmFMulti, Seq: 1, Payload: genlPayload(cmdNewService, nil)}),
		message{Type: nlmsgError, Seq: 2, Payload: errorPayload(3, message{Seq: 2})}))
	f.Fuzz(func(t *testing.T, b []byte) {
		msgs, err := splitMessages(b)
		if err != nil {
			return
		}
		for _, m := range msgs {
			if m.Type == nlmsgError {
				_, _, _ = errorCode(m.Payload)
			}
			if _, a, err := splitGenl(m.Payload); err == nil {
				_, _ = nested(a, attrService)
			}
		}
	})
}

func FuzzDecodeMisc(f *testing.F) {
	d, _ := encodeDaemon(Daemon{State: DaemonMaster, Interface: "eth0", SyncID: 7, Group: netip.MustParseAddr("ff02::12")}, true)
	f.Add(d)
	tb, _ := encodeTimeouts(Timeouts{TCP: 900, TCPFin: 120, UDP: 300})
	f.Add(tb)
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = DecodeInfo(b)
		_, _ = DecodeTimeouts(b)
		_, _ = DecodeDaemon(b)
		_, _ = decodeStats(b, true)
		_, _ = decodeStats(b, false)
	})
}
