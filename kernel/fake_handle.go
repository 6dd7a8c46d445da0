package kernel

import (
	"syscall"
)

// fakeReply is one reply message body (type is the family, or nlctrl).
type fakeReply struct {
	typ     uint16
	payload []byte
}

// handle runs one request message and returns its replies and errno, as
// genl_rcv_msg would: the caller turns them into datagrams.
func (f *Fake) handle(m message) ([]fakeReply, syscall.Errno) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if m.Type == genlIDCtrl {
		return f.handleCtrl(m)
	}
	if m.Type != fakeFamilyID || f.unloaded {
		return nil, syscall.ENOENT
	}
	cmd, a, err := splitGenl(m.Payload)
	if err != nil {
		return nil, syscall.EINVAL
	}
	dump := m.Flags&nlmFDump == nlmFDump
	switch cmd {
	case cmdGetService:
		if dump {
			return f.dumpServices(), 0
		}
		return f.getService(a)
	case cmdGetDest:
		if !dump {
			return nil, syscall.EOPNOTSUPP
		}
		return f.dumpDests(a), 0
	case cmdGetDaemon:
		if !dump {
			return nil, syscall.EOPNOTSUPP
		}
		return f.dumpDaemons(), 0
	}
	if dump {
		return nil, syscall.EOPNOTSUPP
	}
	switch cmd {
	case cmdGetInfo:
		return f.info(), 0
	case cmdGetConfig:
		return f.config(), 0
	case cmdSetConfig:
		return nil, f.setConfig(a)
	case cmdNewDaemon, cmdDelDaemon:
		return nil, f.daemon(cmd, a)
	case cmdFlush:
		f.services = nil
		return nil, 0
	case cmdNewService, cmdSetService, cmdDelService, cmdNewDest, cmdSetDest, cmdDelDest, cmdZero:
		return nil, f.set(cmd, a)
	}
	return nil, syscall.EOPNOTSUPP
}

// set follows ip_vs_genl_set_cmd: parse the service, check it exists
// (unless adding), parse the destination, then act.
func (f *Fake) set(cmd uint8, a []byte) syscall.Errno {
	svcB, _ := nested(a, attrService)
	if cmd == cmdZero && svcB == nil {
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
	full := cmd == cmdNewService || cmd == cmdSetService
	if full && !(r.hasSched && r.hasFlags && r.hasTimeout && r.hasNM) {
		return syscall.EINVAL
	}
	idx, svc := f.find(r.key())
	if cmd != cmdNewService && svc == nil {
		return syscall.ESRCH
	}
	switch cmd {
	case cmdNewService:
		if svc != nil {
			return syscall.EEXIST
		}
		s := &fakeService{key: r.key()}
		if e := f.setService(s, r); e != 0 {
			return e
		}
		f.services = append(f.services, s)
		return 0
	case cmdSetService:
		return f.setService(svc, r)
	case cmdDelService:
		f.services = append(f.services[:idx], f.services[idx+1:]...)
		return 0
	case cmdZero:
		return 0
	}
	return f.setDest(cmd, svc, a)
}

func (f *Fake) setDest(cmd uint8, svc *fakeService, a []byte) syscall.Errno {
	destB, _ := nested(a, attrDest)
	if destB == nil {
		return syscall.EINVAL
	}
	r, err := parseFakeDest(destB)
	if err != nil || !r.hasAddr || !r.hasPort {
		return syscall.EINVAL
	}
	if cmd != cmdDelDest && !(r.hasFwd && r.hasWeight && r.hasUT && r.hasLT) {
		return syscall.EINVAL
	}
	fam := svc.key.Family
	if r.hasAF {
		fam = Family(r.af)
	}
	if fam != svc.key.Family && cmd != cmdDelDest {
		if !f.afValid(uint16(fam)) {
			return syscall.EAFNOSUPPORT
		}
		if len(f.daemons) > 0 || r.fwd != uint32(ForwardTunnel) {
			return syscall.EINVAL
		}
	}
	key := DestinationKey{Family: fam, Addr: r.addrIn(fam), Port: r.port}
	i, d := svc.findDest(key)
	if cmd == cmdDelDest {
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
	case cmd == cmdNewDest && d != nil:
		return syscall.EEXIST
	case cmd == cmdSetDest && d == nil:
		return syscall.ENOENT
	case cmd == cmdNewDest:
		d = &fakeDest{key: key}
		svc.dests = append([]*fakeDest{d}, svc.dests...) // list_add: newest first
	}
	d.set(r)
	return 0
}
