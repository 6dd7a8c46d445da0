package vrrp

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"

	"golang.org/x/sys/unix"
)

// helperObserve prints every IPv4 VRRP packet seen on the segment with the
// kernel's receive timestamp (SO_TIMESTAMPNS, CLOCK_REALTIME), so that the
// benchmarks measure the senders rather than this process's scheduling.
func helperObserve(cfg Config) {
	fd, err := observeSocket(cfg.Interface)
	if err != nil {
		fail(err)
	}
	emit(helperMsg{Kind: "ready"})
	buf, oob := make([]byte, 1500), make([]byte, 256)
	for {
		n, oobn, _, from, err := unix.Recvmsg(fd, buf, oob, 0)
		if err != nil {
			fail(fmt.Errorf("observe: recvmsg: %w", err))
		}
		at, ok := kernelStamp(oob[:oobn])
		sa, isV4 := from.(*unix.SockaddrInet4)
		if !ok || !isV4 || n < 20 {
			continue
		}
		src := netip.AddrFrom4(sa.Addr)
		hl := int(buf[0]&0x0f) * 4
		a, err := ParseAdvert(buf[hl:n], src, netip.AddrFrom4([4]byte(buf[16:20])))
		if err != nil {
			continue
		}
		emit(helperMsg{Kind: "advert", Src: src.String(), Prio: int(a.Priority), Mono: at})
	}
}

func observeSocket(ifname string) (int, error) {
	ifi, err := net.InterfaceByName(ifname)
	if err != nil {
		return -1, err
	}
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_RAW, IPProtocol)
	if err != nil {
		return -1, fmt.Errorf("observe: raw socket: %w", err)
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1); err != nil {
		return -1, fmt.Errorf("observe: SO_TIMESTAMPNS: %w", err)
	}
	mreq := &unix.IPMreqn{Multiaddr: GroupIPv4.As4(), Ifindex: int32(ifi.Index)}
	if err := unix.SetsockoptIPMreqn(fd, unix.IPPROTO_IP, unix.IP_ADD_MEMBERSHIP, mreq); err != nil {
		return -1, fmt.Errorf("observe: join %s: %w", GroupIPv4, err)
	}
	return fd, nil
}

func kernelStamp(oob []byte) (int64, bool) {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return 0, false
	}
	for _, m := range msgs {
		if m.Header.Level == unix.SOL_SOCKET && m.Header.Type == unix.SO_TIMESTAMPNS && len(m.Data) >= 16 {
			sec := int64(binary.NativeEndian.Uint64(m.Data[0:8]))
			nsec := int64(binary.NativeEndian.Uint64(m.Data[8:16]))
			return sec*1e9 + nsec, true
		}
	}
	return 0, false
}
