package kernel

import (
	"net/netip"
	"syscall"

	"github.com/mdlayher/netlink"
)

// daemon starts or stops a sync daemon, following ip_vs_genl_new_daemon /
// ip_vs_genl_del_daemon.
func (f *Fake) daemon(cmd uint8, a []byte) syscall.Errno {
	nest, _ := nested(a, attrDaemon)
	ad, err := attrs(nest)
	if nest == nil || err != nil {
		return syscall.EINVAL
	}
	var has [daemonMcastTTL + 1]bool
	for ad.Next() {
		if t := ad.Type(); int(t) < len(has) {
			has[t] = true
		}
	}
	d, err := DecodeDaemon(nest)
	if err != nil || !has[daemonState] {
		return syscall.EINVAL
	}
	if cmd == cmdDelDaemon {
		if _, ok := f.daemons[d.State]; !ok {
			return syscall.ESRCH
		}
		delete(f.daemons, d.State)
		return 0
	}
	if !has[daemonMcastIfn] || !has[daemonSyncID] {
		return syscall.EINVAL
	}
	if d.State != DaemonMaster && d.State != DaemonBackup {
		return syscall.EINVAL
	}
	if d.Group.IsValid() && !d.Group.IsMulticast() {
		return syscall.EINVAL
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

func (f *Fake) dumpDaemons() []fakeReply {
	var out []fakeReply
	for _, s := range []DaemonState{DaemonMaster, DaemonBackup} {
		d, ok := f.daemons[s]
		if !ok {
			continue
		}
		ae := netlink.NewAttributeEncoder()
		nestNoFlag(ae, attrDaemon, func(nae *netlink.AttributeEncoder) {
			nae.Uint32(daemonState, uint32(d.State))
			nae.String(daemonMcastIfn, d.Interface)
			nae.Uint32(daemonSyncID, d.SyncID)
			nae.Uint16(daemonSyncMaxLen, d.MaxLen)
			if d.Group.Is4() {
				nae.Bytes(daemonMcastGroup, addrBytes(d.Group))
			} else {
				nae.Bytes(daemonMcastGrp6, addrBytes(d.Group))
			}
			nae.Uint16(daemonMcastPort, d.Port)
			nae.Uint8(daemonMcastTTL, d.TTL)
		})
		b, _ := ae.Encode()
		out = append(out, fakeReply{typ: fakeFamilyID, payload: genlPayload(cmdNewDaemon, b)})
	}
	return out
}
