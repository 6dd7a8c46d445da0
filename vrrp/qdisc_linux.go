package vrrp

import (
	"encoding/binary"
	"fmt"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// sizeofTCMsg is the size of struct tcmsg, the header of qdisc messages.
const sizeofTCMsg = 20

// linkQdiscs lists the qdiscs of interface ifindex (RTM_GETQDISC dump).
func linkQdiscs(ifindex int) ([]qdisc, error) {
	c, err := netlink.Dial(unix.NETLINK_ROUTE, nil)
	if err != nil {
		return nil, fmt.Errorf("list qdiscs: dial rtnetlink: %w", err)
	}
	defer c.Close()
	req := netlink.Message{
		Header: netlink.Header{Type: unix.RTM_GETQDISC, Flags: netlink.Request | netlink.Dump},
		Data:   make([]byte, sizeofTCMsg),
	}
	msgs, err := c.Execute(req)
	if err != nil {
		return nil, fmt.Errorf("list qdiscs: %w", err)
	}
	var qs []qdisc
	for _, m := range msgs {
		if q, idx, ok := parseQdisc(m.Data); ok && idx == ifindex {
			qs = append(qs, q)
		}
	}
	return qs, nil
}

// parseQdisc decodes a tcmsg and its TCA_KIND attribute.
func parseQdisc(b []byte) (q qdisc, ifindex int, ok bool) {
	if len(b) < sizeofTCMsg {
		return q, 0, false
	}
	ifindex = int(int32(binary.NativeEndian.Uint32(b[4:8])))
	q.handle = binary.NativeEndian.Uint32(b[8:12])
	q.parent = binary.NativeEndian.Uint32(b[12:16])
	ad, err := netlink.NewAttributeDecoder(b[sizeofTCMsg:])
	if err != nil {
		return q, 0, false
	}
	for ad.Next() {
		if ad.Type() == unix.TCA_KIND {
			q.kind = ad.String()
		}
	}
	return q, ifindex, ad.Err() == nil
}
