package kernel

import (
	"net/netip"
	"testing"

	"github.com/mdlayher/netlink"

	"github.com/seesaw-lb/seesaw/kernel/internal/wire"
)

func TestUpdateAlwaysSendsPEAndFullMask(t *testing.T) {
	web4 := NewServiceKey(TCP, netip.MustParseAddr("192.0.2.10"), 80)
	p, err := encodeOp(Op{Kind: UpdateService, Service: web4, ServiceConfig: ServiceConfig{Scheduler: "rr", Flags: FlagPersistent | flagHashed}})
	if err != nil {
		t.Fatal(err)
	}
	svc, _ := wire.Nested(p[wire.GenlHeaderLen:], wire.AttrService)
	ad, _ := netlink.NewAttributeDecoder(svc)
	var pe, flags bool
	for ad.Next() {
		switch ad.Type() {
		case wire.SvcPEName:
			pe = ad.String() == ""
		case wire.SvcFlags:
			b := ad.Bytes()
			flags = len(b) == 8 && string(b[4:]) == "\xff\xff\xff\xff" && b[0] == byte(FlagPersistent)
		}
	}
	if !pe || !flags {
		t.Fatalf("SET_SERVICE without PE_NAME (%v) or without full mask/with HASHED (%v)", pe, flags)
	}
}
