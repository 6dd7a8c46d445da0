package hatest

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// The LAN: one bridge in the VM's root namespace; every namespace has eth0
// on it through a veth pair whose root end is named after the namespace.
//
//	client  203.0.113.2/24    on-link route to 192.0.2.0/24
//	lb1,lb2 192.0.2.251,.252  on-link route to 203.0.113.0/24, forwarding
//	be1-3   192.0.2.21-.23    VIP 192.0.2.10 on lo (DR), default route via
//	                          the floating gateway 192.0.2.1 (NAT replies);
//	                          replies from the DR VIP go on-link to the client
//
// The client sits in another subnet on the same wire, so NAT replies from
// the backends have to go through the master (which holds 192.0.2.1), while
// DR replies go straight to the client.
const (
	bridge    = "habr0"
	clientNS  = "ha-client"
	clientIP  = "203.0.113.2"
	gatewayIP = "192.0.2.1"
	drVIP     = "192.0.2.10"
	natVIP    = "192.0.2.20"
)

var (
	lbNS      = [2]string{"ha-lb1", "ha-lb2"}
	lbIP      = [2]string{"192.0.2.251", "192.0.2.252"}
	backendNS = [3]string{"ha-be1", "ha-be2", "ha-be3"}
	backendIP = [3]string{"192.0.2.21", "192.0.2.22", "192.0.2.23"}
)

// run runs a command and fails t with its output if it fails.
func run(t testing.TB, args ...string) string {
	t.Helper()
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// inNS runs a command in namespace ns.
func inNS(t testing.TB, ns string, args ...string) string {
	t.Helper()
	return run(t, append([]string{"ip", "netns", "exec", ns}, args...)...)
}

// rootLink is the name of the root end of ns's veth pair (the LAN port).
func rootLink(ns string) string { return "v" + strings.TrimPrefix(ns, "ha-") }

// buildLAN creates the bridge and the namespaces; all are removed when t ends.
func buildLAN(t *testing.T) {
	run(t, "ip", "link", "add", bridge, "type", "bridge")
	t.Cleanup(func() { exec.Command("ip", "link", "del", bridge).Run() })
	run(t, "ip", "link", "set", bridge, "up")
	all := append(append([]string{clientNS}, lbNS[:]...), backendNS[:]...)
	for _, ns := range all {
		run(t, "ip", "netns", "add", ns)
		t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
		run(t, "ip", "link", "add", rootLink(ns), "type", "veth", "peer", "name", "eth0", "netns", ns)
		// A namespace goes away asynchronously; deleting the pair now
		// frees the name for the next lab.
		t.Cleanup(func() { exec.Command("ip", "link", "del", rootLink(ns)).Run() })
		run(t, "ip", "link", "set", rootLink(ns), "master", bridge, "up")
		run(t, "ip", "-n", ns, "link", "set", "lo", "up")
		run(t, "ip", "-n", ns, "link", "set", "eth0", "up")
	}
	run(t, "ip", "-n", clientNS, "addr", "add", clientIP+"/24", "dev", "eth0")
	run(t, "ip", "-n", clientNS, "route", "add", "192.0.2.0/24", "dev", "eth0")
	for i, ns := range lbNS {
		run(t, "ip", "-n", ns, "addr", "add", lbIP[i]+"/24", "dev", "eth0")
		run(t, "ip", "-n", ns, "route", "add", "203.0.113.0/24", "dev", "eth0")
		sysctls(t, ns, "net.ipv4.ip_forward=1",
			// NAT replies leave by the interface they came in on: a
			// redirect would send the backend straight to the client.
			"net.ipv4.conf.all.send_redirects=0", "net.ipv4.conf.eth0.send_redirects=0")
	}
	for i, ns := range backendNS {
		run(t, "ip", "-n", ns, "addr", "add", backendIP[i]+"/24", "dev", "eth0")
		run(t, "ip", "-n", ns, "addr", "add", drVIP+"/32", "dev", "lo")
		sysctls(t, ns, "net.ipv4.conf.all.arp_ignore=1", "net.ipv4.conf.all.arp_announce=2",
			"net.ipv4.conf.eth0.arp_ignore=1", "net.ipv4.conf.eth0.arp_announce=2",
			"net.ipv4.conf.all.accept_redirects=0", "net.ipv4.conf.eth0.accept_redirects=0")
		run(t, "ip", "-n", ns, "route", "add", "default", "via", gatewayIP, "dev", "eth0", "onlink")
		run(t, "ip", "-n", ns, "rule", "add", "from", drVIP, "lookup", "100")
		run(t, "ip", "-n", ns, "route", "add", "203.0.113.0/24", "dev", "eth0", "table", "100")
	}
}

func sysctls(t *testing.T, ns string, kv ...string) {
	t.Helper()
	for _, s := range kv {
		inNS(t, ns, "sysctl", "-q", "-w", s)
	}
}

// forgetNeighbours flushes the ARP caches of the client, the backends and
// the load balancers, so that no scenario inherits where the last one left
// them pointing.
func forgetNeighbours(t testing.TB) {
	for _, ns := range append(append([]string{clientNS}, lbNS[:]...), backendNS[:]...) {
		run(t, "ip", "-n", ns, "neigh", "flush", "all")
	}
}

// setLink sets the LAN port of ns up or down (a cable pulled or put back).
// It sets the flag itself (SIOCSIFFLAGS in the root namespace, where the
// port is) rather than running ip: starting a process takes a varying
// part of a second under TCG, which would move the cable's pull off the
// advert phase the scenario pinned it to.
func setLink(t testing.TB, ns string, up bool) {
	t.Helper()
	if err := setLinkFlag(rootLink(ns), up); err != nil {
		t.Fatalf("set %s of %s %v: %v", rootLink(ns), ns, map[bool]string{true: "up", false: "down"}[up], err)
	}
}

func setLinkFlag(name string, up bool) error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("SIOCGIFFLAGS: %w", err)
	}
	flags := ifr.Uint16()
	if up {
		flags |= unix.IFF_UP
	} else {
		flags &^= unix.IFF_UP
	}
	ifr.SetUint16(flags)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("SIOCSIFFLAGS: %w", err)
	}
	return nil
}
