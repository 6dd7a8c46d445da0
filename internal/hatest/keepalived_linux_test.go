package hatest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/seesaw-lb/seesaw/internal/vmlab"
)

// keepalivedConf renders lb i's keepalived.conf: the same VRRP instance
// (version 3, multicast, 1 s adverts, lb1 preferred), the sync daemon,
// every VIP as a virtual_ipaddress and every service as a virtual_server
// whose checked real servers have a TCP_CHECK at the same interval as
// seesaw's (weight 0 on failure, as seesaw drains).
func keepalivedConf(i int, m model) string {
	var b strings.Builder
	fmt.Fprintf(&b, "global_defs {\n  router_id lb%d\n  vrrp_version 3\n  lvs_sync_daemon eth0 VI_60 id 60\n}\n", i+1)
	fmt.Fprintf(&b, "vrrp_instance VI_60 {\n  state BACKUP\n  interface eth0\n  virtual_router_id 60\n  priority %d\n  advert_int 1\n  virtual_ipaddress {\n", 200-100*i)
	for _, v := range m.vips() {
		fmt.Fprintf(&b, "    %s/32 dev eth0\n", v)
	}
	b.WriteString("  }\n}\n")
	for _, s := range m.services() {
		if s.Name == "gw" {
			continue
		}
		kind := map[string]string{"dr": "DR", "nat": "NAT"}[s.Forward]
		fmt.Fprintf(&b, "virtual_server %s %d {\n  delay_loop 1\n  lb_algo wrr\n  lb_kind %s\n  protocol TCP\n", s.VIP, s.Port, kind)
		for j, be := range s.Backends {
			fmt.Fprintf(&b, "  real_server %s 80 {\n    weight %d\n", be, s.Weights[j])
			if s.Checked {
				b.WriteString("    inhibit_on_failure\n    TCP_CHECK {\n      connect_timeout 1\n      retry 1\n      delay_before_retry 1\n    }\n")
			}
			b.WriteString("  }\n")
		}
		b.WriteString("}\n")
	}
	if m.Invalid {
		b.WriteString("virtual_server {\n")
	}
	return b.String()
}

// keepalivedPair runs Debian's keepalived (VRRP and checkers) in both LB
// namespaces.
type keepalivedPair struct {
	t    *testing.T
	dir  [2]string
	proc [2]*vmlab.Proc
}

func newKeepalivedPair(t *testing.T) *keepalivedPair {
	p := &keepalivedPair{t: t}
	for i := range p.dir {
		p.dir[i] = filepath.Join(t.TempDir(), fmt.Sprintf("lb%d", i+1))
		must(t, os.MkdirAll(p.dir[i], 0o755))
		p.Push(i, model{})
	}
	return p
}

func (p *keepalivedPair) Name() string { return "keepalived" }

func (p *keepalivedPair) pidFile(i int, name string) string {
	return filepath.Join(p.dir[i], name+".pid")
}

func (p *keepalivedPair) Start(i int) {
	p.proc[i] = vmlab.Start(p.t, lbNS[i], nil, "keepalived", "--dont-fork", "--log-console", "--log-detail",
		"--no-syslog", "--dont-respawn", "--use-file", filepath.Join(p.dir[i], "keepalived.conf"),
		"--pid", p.pidFile(i, "keepalived"), "--vrrp_pid", p.pidFile(i, "vrrp"),
		"--checkers_pid", p.pidFile(i, "checkers"))
}

func (p *keepalivedPair) Running(i int) bool { return p.proc[i] != nil && p.proc[i].Running() }

// Stop sends sig to keepalived; SIGKILL goes to its VRRP and checker
// children too (a crash of the whole service, as systemd's kill of a unit
// does).
func (p *keepalivedPair) Stop(i int, sig syscall.Signal) bool {
	if !p.Running(i) {
		return true
	}
	if sig == syscall.SIGKILL {
		p.proc[i].SignalGroup(syscall.SIGKILL)
	} else {
		p.proc[i].Signal(sig)
	}
	return p.proc[i].Wait(vmlab.StopWait)
}

// Push writes keepalived.conf and, if keepalived runs, reloads it (SIGHUP).
func (p *keepalivedPair) Push(i int, m model) {
	conf := filepath.Join(p.dir[i], "keepalived.conf")
	must(p.t, os.WriteFile(conf+".tmp", []byte(keepalivedConf(i, m)), 0o644))
	must(p.t, os.Rename(conf+".tmp", conf))
	if p.Running(i) {
		p.proc[i].Signal(syscall.SIGHUP)
	}
}

// PushSymlink is Push: keepalived reads one file on SIGHUP.
func (p *keepalivedPair) PushSymlink(i int, m model) { p.Push(i, m) }

func (p *keepalivedPair) Log(i int) string {
	if p.proc[i] == nil {
		return ""
	}
	return p.proc[i].Output()
}
