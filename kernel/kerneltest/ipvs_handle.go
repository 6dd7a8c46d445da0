package kerneltest

import (
	"syscall"

	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/internal/wire"
)

// fakeReply is one reply message body (type is the family, or nlctrl).
type fakeReply struct {
	typ     uint16
	payload []byte
}

// handle runs one request message and returns its replies and errno, as
// genl_rcv_msg would: the caller turns them into datagrams.
func (f *IPVS) handle(m wire.Message) ([]fakeReply, syscall.Errno) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if m.Type == wire.GenlIDCtrl {
		return f.handleCtrl(m)
	}
	if m.Type != fakeFamilyID || f.unloaded {
		return nil, syscall.ENOENT
	}
	cmd, a, err := wire.SplitGenl(m.Payload)
	if err != nil {
		return nil, syscall.EINVAL
	}
	dump := m.Flags&wire.NlmFDump == wire.NlmFDump
	switch cmd {
	case wire.CmdGetService:
		if dump {
			return f.dumpServices(), 0
		}
		return f.getService(a)
	case wire.CmdGetDest:
		if !dump {
			return nil, syscall.EOPNOTSUPP
		}
		return f.dumpDests(a), 0
	case wire.CmdGetDaemon:
		if !dump {
			return nil, syscall.EOPNOTSUPP
		}
		return f.dumpDaemons(), 0
	}
	if dump {
		return nil, syscall.EOPNOTSUPP
	}
	switch cmd {
	case wire.CmdGetInfo:
		return f.info(), 0
	case wire.CmdGetConfig:
		return f.config(), 0
	case wire.CmdSetConfig:
		return nil, f.setConfig(a)
	case wire.CmdNewDaemon, wire.CmdDelDaemon:
		return nil, f.daemon(cmd, a)
	case wire.CmdFlush:
		f.services = nil
		return nil, 0
	case wire.CmdNewService, wire.CmdSetService, wire.CmdDelService, wire.CmdNewDest, wire.CmdSetDest, wire.CmdDelDest, wire.CmdZero:
		return nil, f.set(cmd, a)
	}
	return nil, syscall.EOPNOTSUPP
}

// set follows ip_vs_genl_set_cmd: parse the service, check it exists
// (unless adding), parse the destination, then act.
func (f *IPVS) set(cmd uint8, a []byte) syscall.Errno {
	svcB, _ := wire.Nested(a, wire.AttrService)
	if cmd == wire.CmdZero && svcB == nil {
		return 0 // zero everything: the fake keeps no counters
	}
	if svcB == nil {
		return syscall.EINVAL
	}
	r, err := parseFakeService(svcB)
	if err != nil {
		return syscall.EINVAL
	}
	if !r.hasAF || !(r.hasMark || (r.hasPort && r.hasProto && r.hasAddr)) {
		return syscall.EINVAL
	}
	if !f.afValid(r.af) {
		return syscall.EAFNOSUPPORT
	}
	full := cmd == wire.CmdNewService || cmd == wire.CmdSetService
	if full && !(r.hasSched && r.hasFlags && r.hasTimeout && r.hasNM) {
		return syscall.EINVAL
	}
	idx, svc := f.find(r.key())
	if cmd != wire.CmdNewService && svc == nil {
		return syscall.ESRCH
	}
	switch cmd {
	case wire.CmdNewService:
		if svc != nil {
			return syscall.EEXIST
		}
		s := &fakeService{key: r.key()}
		if e := f.setService(s, r); e != 0 {
			return e
		}
		f.services = append(f.services, s)
		return 0
	case wire.CmdSetService:
		return f.setService(svc, r)
	case wire.CmdDelService:
		f.services = append(f.services[:idx], f.services[idx+1:]...)
		return 0
	case wire.CmdZero:
		return 0
	}
	return f.setDest(cmd, svc, a)
}

func (f *IPVS) setDest(cmd uint8, svc *fakeService, a []byte) syscall.Errno {
	destB, _ := wire.Nested(a, wire.AttrDest)
	if destB == nil {
		return syscall.EINVAL
	}
	r, err := parseFakeDest(destB)
	if err != nil || !r.hasAddr || !r.hasPort {
		return syscall.EINVAL
	}
	if cmd != wire.CmdDelDest && !(r.hasFwd && r.hasWeight && r.hasUT && r.hasLT) {
		return syscall.EINVAL
	}
	fam := svc.key.Family
	if r.hasAF {
		fam = kernel.Family(r.af)
	}
	if fam != svc.key.Family && cmd != wire.CmdDelDest {
		if !f.afValid(uint16(fam)) {
			return syscall.EAFNOSUPPORT
		}
		if len(f.daemons) > 0 || r.fwd != uint32(kernel.ForwardTunnel) {
			return syscall.EINVAL
		}
	}
	key := kernel.DestinationKey{Family: fam, Addr: r.addrIn(fam), Port: r.port}
	i, d := svc.findDest(key)
	if cmd == wire.CmdDelDest {
		if d == nil {
			return syscall.ENOENT
		}
		svc.dests = append(svc.dests[:i], svc.dests[i+1:]...)
		return 0
	}
	if e := checkDest(r, fam); e != 0 {
		return e
	}
	switch {
	case cmd == wire.CmdNewDest && d != nil:
		return syscall.EEXIST
	case cmd == wire.CmdSetDest && d == nil:
		return syscall.ENOENT
	case cmd == wire.CmdNewDest:
		d = &fakeDest{key: key}
		svc.dests = append([]*fakeDest{d}, svc.dests...) // list_add: newest first
	}
	d.set(r)
	return 0
}
