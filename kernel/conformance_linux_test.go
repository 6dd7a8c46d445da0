//go:build linux

package kernel_test

import (
	"context"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/seesaw-lb/seesaw/internal/testenv"

	"github.com/seesaw-lb/seesaw/kernel"
)

// requireVM skips unless SEESAW_VM=1 (set inside the test VM by make
// vmtest); there, a missing prerequisite fails the test.
func requireVM(t *testing.T) {
	t.Helper()
	testenv.RequireVM(t)
}

// dialKernel returns a client on the real kernel with an empty table.
func dialKernel(t *testing.T) *kernel.Client {
	t.Helper()
	requireVM(t)
	c, err := kernel.Dial(kernel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestConformanceKernel(t *testing.T) {
	requireVM(t)
	runConformance(t, dialKernel, suiteEnv{hasScheduler: kernelHasScheduler, syncIfname: "dummy0"})
}

// kernelHasScheduler reports whether the scheduler's module is loaded (the
// VM loads every one its kernel ships).
func kernelHasScheduler(name string) bool {
	_, err := os.Stat("/sys/module/ip_vs_" + name)
	return err == nil
}

func ipvsadm(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command("ipvsadm", args...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ipvsadm %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestOracleApplyThenIPVSADM: what Apply writes, ipvsadm reads back exactly.
func TestOracleApplyThenIPVSADM(t *testing.T) {
	c := dialKernel(t)
	mustApply(t, c, expectedTableOps()...)
	if got := ipvsadm(t, "", "-Sn"); got != expectedTableText {
		t.Errorf("ipvsadm -Sn after Apply:\n%s\nwant:\n%s", got, expectedTableText)
	}
}

// oracleRules is a table built by ipvsadm itself: every scheduler, every
// forwarding method, tunnel types, persistence with netmasks in both
// families, PE, scheduler flags, fwmark services, IPv6.
func oracleRules() string {
	var b strings.Builder
	for i, s := range kernel.Schedulers() {
		if !kernelHasScheduler(s) {
			continue
		}
		svc := "-t 192.0.2.20:" + itoa(2000+i)
		b.WriteString("-A " + svc + " -s " + s + "\n")
		b.WriteString("-a " + svc + " -r 198.51.100.31:" + itoa(2000+i) + " -g -w " + itoa(i) + "\n")
	}
	b.WriteString(`-A -u 192.0.2.21:53 -s rr -p 60 -M 255.255.255.0
-a -u 192.0.2.21:53 -r 198.51.100.32:5353 -m -w 5 -x 100 -y 10
-A -t 192.0.2.22:80 -s wlc
-a -t 192.0.2.22:80 -r 198.51.100.33:80 -i -w 1
-a -t 192.0.2.22:80 -r 198.51.100.34:80 -i -w 2 --tun-type gue --tun-port 6080 --tun-csum
-a -t 192.0.2.22:80 -r 198.51.100.35:80 -i -w 3 --tun-type gre --tun-csum
-a -t 192.0.2.22:80 -r [2001:db8::35]:80 -i -w 4
-A -t [2001:db8::20]:443 -s sh -p 120 -M 64 -b sh-fallback,sh-port
-a -t [2001:db8::20]:443 -r [2001:db8::31]:443 -g -w 7
-a -t [2001:db8::20]:443 -r [2001:db8::32]:8443 -m -w 8
-A -u 192.0.2.23:5060 -s rr -p 30 --pe sip -o
-a -u 192.0.2.23:5060 -r 198.51.100.36:5060 -g -w 1
-A -f 9 -s wlc
-a -f 9 -r 198.51.100.37:0 -g -w 1
-A -f 10 -6 -s mh -b mh-port
-a -f 10 -6 -r [2001:db8::38]:0 -g -w 2
`)
	return b.String()
}

func itoa(i int) string { return strconv.Itoa(i) }

func netipMust(s string) netip.Addr { return netip.MustParseAddr(s) }

// TestOracleIPVSADMThenSnapshot: a table ipvsadm built is read back by
// Snapshot exactly (same rendering as ipvsadm's own, plus spot checks of
// what ipvsadm -S does not print).
func TestOracleIPVSADMThenSnapshot(t *testing.T) {
	c := dialKernel(t)
	ipvsadm(t, oracleRules(), "-R")
	snap := snapshot(t, c)
	want := ipvsadm(t, "", "-Sn")
	if got := kernel.RenderIPVSADM(snap); got != want {
		t.Errorf("Snapshot rendered:\n%s\nipvsadm -Sn:\n%s", got, want)
	}
	udp, ok := snap.Service(kernel.NewServiceKey(kernel.UDP, netipMust("192.0.2.21"), 53))
	if !ok || len(udp.Destinations) != 1 || udp.Destinations[0].Config.UpperThreshold != 100 || udp.Destinations[0].Config.LowerThreshold != 10 {
		t.Errorf("thresholds not read back: %+v", udp)
	}
	sip, ok := snap.Service(kernel.NewServiceKey(kernel.UDP, netipMust("192.0.2.23"), 5060))
	if !ok || sip.Config.Flags&kernel.FlagOnePacket == 0 || sip.Config.PEName != "sip" {
		t.Errorf("one-packet/PE not read back: %+v", sip.Config)
	}
	if got, want := len(snap.Services), strings.Count(oracleRules(), "-A "); got != want {
		t.Errorf("%d services read back, want %d", got, want)
	}
}
