// Package kapeer describes Debian's keepalived as a VRRP peer for the
// interoperability tests of vrrp and internal/daemon: a Peer renders as
// the keepalived.conf of its instances, and Command runs keepalived's VRRP
// subsystem on it inside a network namespace. Starting, log capture and
// cleanup stay with each package's tests, which read keepalived's output
// in their own way.
//
//	p := kapeer.Peer{RouterID: "ka2", Instances: []kapeer.Instance{
//		{Name: "web", VRID: 61, Priority: 150, Advert: 100 * time.Millisecond, VIPs: []string{"192.0.2.10/32"}},
//	}}
//	os.WriteFile(filepath.Join(dir, kapeer.ConfFile), []byte(p.Conf()), 0o600)
//	cmd := kapeer.Command(ns, dir)
package kapeer

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Instance is one vrrp_instance, named VI_<Name>, starting as BACKUP
// with VRRPv3 adverts.
type Instance struct {
	Name      string
	Interface string // "eth0" when empty
	VRID      int
	Priority  int
	Advert    time.Duration // advert_int
	NoPreempt bool
	VIPs      []string // virtual_ipaddress entries, e.g. "192.0.2.50/24"
	// UnicastPeers, when set, make the instance advertise to them from
	// UnicastSrc instead of to the multicast group, with hop limit
	// UnicastTTL (0: keepalived's default).
	UnicastPeers []string
	UnicastSrc   string
	UnicastTTL   int
}

// Peer is a keepalived node: its router id, its instances, and at most
// one vrrp_sync_group (LVS) of instances by name.
type Peer struct {
	RouterID  string
	Instances []Instance
	SyncGroup []string // none: no sync group
}

// ConfFile is the name of the configuration Command reads in its directory.
const ConfFile = "keepalived.conf"

// Conf is the peer's keepalived.conf.
func (p Peer) Conf() string {
	var b strings.Builder
	fmt.Fprintf(&b, "global_defs {\n\trouter_id %s\n\tvrrp_version 3\n}\n", p.RouterID)
	if len(p.SyncGroup) > 0 {
		b.WriteString("vrrp_sync_group LVS {\n\tgroup {\n")
		for _, n := range p.SyncGroup {
			fmt.Fprintf(&b, "\t\tVI_%s\n", n)
		}
		b.WriteString("\t}\n}\n")
	}
	for _, in := range p.Instances {
		in.write(&b)
	}
	return b.String()
}

func (in Instance) write(b *strings.Builder) {
	ifname := in.Interface
	if ifname == "" {
		ifname = "eth0"
	}
	fmt.Fprintf(b, "vrrp_instance VI_%s {\n\tstate BACKUP\n\tinterface %s\n\tvirtual_router_id %d\n\tpriority %d\n\tadvert_int %s\n",
		in.Name, ifname, in.VRID, in.Priority, strconv.FormatFloat(in.Advert.Seconds(), 'f', -1, 64))
	if in.NoPreempt {
		b.WriteString("\tnopreempt\n")
	}
	b.WriteString("\tvirtual_ipaddress {\n")
	for _, v := range in.VIPs {
		fmt.Fprintf(b, "\t\t%s\n", v)
	}
	b.WriteString("\t}\n")
	if len(in.UnicastPeers) > 0 {
		fmt.Fprintf(b, "\tunicast_src_ip %s\n", in.UnicastSrc)
		if in.UnicastTTL != 0 {
			fmt.Fprintf(b, "\tunicast_ttl %d\n", in.UnicastTTL)
		}
		b.WriteString("\tunicast_peer {\n")
		for _, p := range in.UnicastPeers {
			fmt.Fprintf(b, "\t\t%s\n", p)
		}
		b.WriteString("\t}\n")
	}
	b.WriteString("}\n")
}

// Command is keepalived's VRRP subsystem in namespace ns, in the
// foreground, logging to the console, on dir's ConfFile, with its pid
// files in dir. The caller starts it, and kills it and the VRRP child
// (VRRPPID) when done.
func Command(ns, dir string) *exec.Cmd {
	return exec.Command("ip", "netns", "exec", ns, "keepalived", "--dont-fork", "--log-console", "--log-detail",
		"--no-syslog", "--dont-respawn", "--vrrp", "--use-file", filepath.Join(dir, ConfFile),
		"--pid", filepath.Join(dir, "keepalived.pid"), "--vrrp_pid", filepath.Join(dir, "vrrp.pid"))
}

// VRRPPID is the pid of the VRRP child of the keepalived Command started
// on dir, 0 until it has written its pid file.
func VRRPPID(dir string) int {
	b, _ := os.ReadFile(filepath.Join(dir, "vrrp.pid"))
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}
