package main

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/seesaw-lb/seesaw/internal/testenv"
	"github.com/seesaw-lb/seesaw/kernel"
)

// requireVM skips unless SEESAW_VM=1 (inside the test VM); there, a missing
// ipvsadm is a failure.
func requireVM(t *testing.T) {
	t.Helper()
	testenv.RequireVM(t, "ipvsadm")
	t.Cleanup(func() { exec.Command("ipvsadm", "-C").Run() }) // leave the VM's table empty
}

func ipvsadm(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("ipvsadm", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("ipvsadm %v: %v: %s", args, err, out)
	}
	return string(out)
}

const vmNode = "node: {name: vm, interface: dummy0, resync_interval: 1s, scope: {prefixes: [192.0.2.0/24]}}\n"

// TestMassDeleteHeldInVM: a plan deleting 90% of the services is held back.
func TestMassDeleteHeldInVM(t *testing.T) {
	requireVM(t)
	ipvsadm(t, "-C")
	c, err := kernel.Dial(kernel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var b strings.Builder
	b.WriteString("services:\n")
	for i := 1; i <= 10; i++ {
		ip := "192.0.2." + strconv.Itoa(100+i)
		b.WriteString("  - {name: s" + strconv.Itoa(i) + ", vip: " + ip + ", ports: [{proto: tcp, port: 80}], backends: [{address: 198.51.100.1}]}\n")
	}
	dir := writeConfig(t, map[string]string{"node.yaml": vmNode, "s.yaml": b.String()})
	var out, errs strings.Builder
	if code := runApply(realDeps(), []string{"--once", "--config-dir", dir}, &out, &errs); code != exitChanges {
		t.Fatalf("apply: %d %s", code, errs.String())
	}
	one := writeConfig(t, map[string]string{"node.yaml": vmNode, "s.yaml": "services:\n  - {name: s1, vip: 192.0.2.101, ports: [{proto: tcp, port: 80}], backends: [{address: 198.51.100.1}]}\n"})
	before := ipvsadm(t, "-Sn")
	out.Reset()
	if code := runApply(realDeps(), []string{"--once", "--config-dir", one}, &out, &errs); code != exitError ||
		!strings.Contains(out.String(), "HELD BACK") || ipvsadm(t, "-Sn") != before {
		t.Fatalf("held plan: code %d\n%s", code, out.String())
	}
}
