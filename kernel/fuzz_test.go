package kernel

import (
	"net/netip"
	"testing"

	"github.com/mdlayher/netlink"

	"github.com/seesaw-lb/seesaw/kernel/internal/wire"
)

func FuzzDecodeService(f *testing.F) {
	f.Add(serviceNest(f, NewServiceKey(TCP, netip.MustParseAddr("192.0.2.10"), 80), ServiceConfig{Scheduler: "wrr", Flags: FlagPersistent, Timeout: 300}))
	f.Add(serviceNest(f, NewFWMarkKey(IPv6, 5), ServiceConfig{Scheduler: "sh", PEName: "sip", Netmask: PrefixNetmask(64)}))
	f.Fuzz(func(t *testing.T, b []byte) {
		svc, err := decodeService(b)
		if err == nil && svc.Key.Family != IPv4 && svc.Key.Family != IPv6 {
			t.Fatalf("decoded a service of family %d", svc.Key.Family)
		}
	})
}

func FuzzDecodeDestination(f *testing.F) {
	ae := netlink.NewAttributeEncoder()
	encodeDestKey(ae, NewDestinationKey(netip.MustParseAddr("198.51.100.21"), 80))
	encodeDestConfig(ae, DestinationConfig{Forward: ForwardTunnel, Weight: 10, TunnelType: TunnelGUE, TunnelPort: 6080})
	ae.Nested(wire.DestStats, func(nae *netlink.AttributeEncoder) error { nae.Uint32(wire.StatsConns, 1); return nil })
	b, _ := ae.Encode()
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := decodeDestination(b, IPv6)
		if err == nil && !d.Key.Addr.IsValid() {
			t.Fatal("decoded a destination without an address")
		}
	})
}

func FuzzSplitMessages(f *testing.F) {
	f.Add(wire.AppendMessage(wire.AppendMessage(nil, wire.Message{Type: 0x20, Flags: wire.NlmFMulti, Seq: 1, Payload: wire.GenlPayload(wire.CmdNewService, nil)}),
		wire.Message{Type: wire.NlmsgError, Seq: 2, Payload: wire.ErrorPayload(3, wire.Message{Seq: 2})}))
	f.Fuzz(func(t *testing.T, b []byte) {
		msgs, err := wire.SplitMessages(b)
		if err != nil {
			return
		}
		for _, m := range msgs {
			if m.Type == wire.NlmsgError {
				_, _, _ = wire.ErrorCode(m.Payload)
			}
			if _, a, err := wire.SplitGenl(m.Payload); err == nil {
				_, _ = wire.Nested(a, wire.AttrService)
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
		_, _ = decodeInfo(b)
		_, _ = decodeTimeouts(b)
		_, _ = decodeDaemon(b)
		_, _ = decodeStats(b, true)
		_, _ = decodeStats(b, false)
	})
}
