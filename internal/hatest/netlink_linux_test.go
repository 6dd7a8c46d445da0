package hatest

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/seesaw-lb/seesaw/internal/netnsexec"
)

// addrReader reads a namespace's IPv4 addresses and link states with
// rtnetlink dumps on a socket opened inside the namespace: a few hundred
// microseconds per read, where `ip -n` would take tens of milliseconds.
type addrReader struct {
	fd  int
	seq uint32
	buf []byte
}

func newAddrReader(ns string) (*addrReader, error) {
	r := &addrReader{buf: make([]byte, 64<<10)}
	err := netnsexec.Do(ns, func() error {
		fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
		if err != nil {
			return err
		}
		r.fd = fd
		// A dump that never completes fails the read instead of hanging it.
		tv := unix.Timeval{Sec: 2}
		if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
			return err
		}
		return unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK})
	})
	if err != nil {
		return nil, fmt.Errorf("rtnetlink socket in %s: %w", ns, err)
	}
	return r, nil
}

func (r *addrReader) Close() { unix.Close(r.fd) }

// held returns the IPv4 addresses on interfaces that are up with carrier
// (a node whose link is down holds nothing on the network).
func (r *addrReader) held() (map[netip.Addr]bool, error) {
	links, err := r.dump(unix.RTM_GETLINK, make([]byte, unix.SizeofIfInfomsg))
	if err != nil {
		return nil, err
	}
	running := map[int32]bool{}
	for _, m := range links {
		if m.Header.Type != unix.RTM_NEWLINK || len(m.Data) < unix.SizeofIfInfomsg {
			continue
		}
		idx := int32(binary.NativeEndian.Uint32(m.Data[4:8]))
		flags := binary.NativeEndian.Uint32(m.Data[8:12])
		running[idx] = flags&unix.IFF_UP != 0 && flags&unix.IFF_RUNNING != 0
	}
	addrs, err := r.dump(unix.RTM_GETADDR, []byte{unix.AF_INET, 0, 0, 0, 0, 0, 0, 0})
	if err != nil {
		return nil, err
	}
	out := map[netip.Addr]bool{}
	for _, m := range addrs {
		if m.Header.Type != unix.RTM_NEWADDR || len(m.Data) < unix.SizeofIfAddrmsg {
			continue
		}
		idx := int32(binary.NativeEndian.Uint32(m.Data[4:8]))
		if !running[idx] {
			continue
		}
		attrs, err := syscall.ParseNetlinkRouteAttr(&m)
		if err != nil {
			return nil, err
		}
		for _, a := range attrs {
			if a.Attr.Type == unix.IFA_LOCAL && len(a.Value) == 4 {
				out[netip.AddrFrom4([4]byte(a.Value))] = true
			}
		}
	}
	return out, nil
}

// dump sends one dump request and collects its messages.
func (r *addrReader) dump(typ uint16, body []byte) ([]syscall.NetlinkMessage, error) {
	r.seq++
	req := make([]byte, unix.SizeofNlMsghdr+len(body))
	binary.NativeEndian.PutUint32(req[0:4], uint32(len(req)))
	binary.NativeEndian.PutUint16(req[4:6], typ)
	binary.NativeEndian.PutUint16(req[6:8], unix.NLM_F_REQUEST|unix.NLM_F_DUMP)
	binary.NativeEndian.PutUint32(req[8:12], r.seq)
	copy(req[unix.SizeofNlMsghdr:], body)
	if err := unix.Sendto(r.fd, req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return nil, fmt.Errorf("rtnetlink dump: %w", err)
	}
	var out []syscall.NetlinkMessage
	for {
		n, _, err := unix.Recvfrom(r.fd, r.buf, 0)
		if err != nil {
			return nil, fmt.Errorf("rtnetlink dump: %w", err)
		}
		msgs, err := syscall.ParseNetlinkMessage(r.buf[:n])
		if err != nil {
			return nil, err
		}
		for _, m := range msgs {
			if m.Header.Seq != r.seq {
				continue
			}
			switch m.Header.Type {
			case unix.NLMSG_DONE:
				return out, nil
			case unix.NLMSG_ERROR:
				return nil, fmt.Errorf("rtnetlink dump: error %d", int32(binary.NativeEndian.Uint32(m.Data[:4])))
			}
			out = append(out, m)
		}
	}
}
