package kerneltest

import (
	"net/netip"
	"syscall"

	"github.com/mdlayher/netlink"

	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/internal/wire"
)

// daemon starts or stops a sync daemon, following ip_vs_genl_new_daemon /
// ip_vs_genl_del_daemon.
func (f *IPVS) daemon(cmd uint8, a []byte) syscall.Errno {
	nest, _ := wire.Nested(a, wire.AttrDaemon)
	ad, err := wire.Attrs(nest)
	if nest == nil || err != nil {
		return syscall.EINVAL
	}
	var has [wire.DaemonMcastTTL + 1]bool
	for ad.Next() {
		if t := ad.Type(); int(t) < len(has) {
			has[t] = true
		}
	}
	d, err := parseDaemon(nest)
	if err != nil || !has[wire.DaemonState] {
		return syscall.EINVAL
	}
	if cmd == wire.CmdDelDaemon {
		if _, ok := f.daemons[d.State]; !ok {
			return syscall.ESRCH
		}
		delete(f.daemons, d.State)
		if f.stopUnrun {
			f.stopUnrun = false
			return syscall.EINTR
		}
		return 0
	}
	if !has[wire.DaemonMcastIfn] || !has[wire.DaemonSyncID] {
		return syscall.EINVAL
	}
	if d.State != kernel.DaemonMaster && d.State != kernel.DaemonBackup {
		return syscall.EINVAL
	}
	if d.Group.IsValid() && !d.Group.IsMulticast() {
		return syscall.EINVAL
	}
	if f.hasMixedFamily() {
		return syscall.EINVAL // the sync protocol cannot carry such connections
	}
	if _, ok := f.daemons[d.State]; ok {
		return syscall.EEXIST
	}
	if d.MaxLen == 0 {
		d.MaxLen = 1472 // the kernel's defaults, reported back
	}
	if !d.Group.IsValid() {
		d.Group = netip.AddrFrom4([4]byte{224, 0, 0, 81})
	}
	if d.Port == 0 {
		d.Port = 8848
	}
	if d.TTL == 0 {
		d.TTL = 1
	}
	f.daemons[d.State] = d
	return 0
}

func (f *IPVS) dumpDaemons() []fakeReply {
	var out []fakeReply
	for _, s := range []kernel.DaemonState{kernel.DaemonMaster, kernel.DaemonBackup} {
		d, ok := f.daemons[s]
		if !ok {
			continue
		}
		ae := netlink.NewAttributeEncoder()
		nestNoFlag(ae, wire.AttrDaemon, func(nae *netlink.AttributeEncoder) {
			nae.Uint32(wire.DaemonState, uint32(d.State))
			nae.String(wire.DaemonMcastIfn, d.Interface)
			nae.Uint32(wire.DaemonSyncID, d.SyncID)
			nae.Uint16(wire.DaemonSyncMaxLen, d.MaxLen)
			if d.Group.Is4() {
				nae.Bytes(wire.DaemonMcastGroup, addrBytes(d.Group))
			} else {
				nae.Bytes(wire.DaemonMcastGrp6, addrBytes(d.Group))
			}
			nae.Uint16(wire.DaemonMcastPort, d.Port)
			nae.Uint8(wire.DaemonMcastTTL, d.TTL)
		})
		b, _ := ae.Encode()
		out = append(out, fakeReply{typ: fakeFamilyID, payload: wire.GenlPayload(wire.CmdNewDaemon, b)})
	}
	return out
}

// hasMixedFamily reports whether a destination's family differs from its
// service's (the kernel's mixed_address_family_dests > 0).
func (f *IPVS) hasMixedFamily() bool {
	for _, s := range f.services {
		for _, d := range s.dests {
			if d.key.Family != s.key.Family {
				return true
			}
		}
	}
	return false
}
