package vmlab

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/testenv"
)

// testNames are a namespace, bridge and port name of this test process's
// own (interface names have at most 15 bytes).
func testNames() (ns, br, port string) {
	id := os.Getpid() % 1000000
	return fmt.Sprintf("vmlab-%d", id), fmt.Sprintf("vlbr%d", id), fmt.Sprintf("vlp%d", id)
}

// TestLabBuildAndRemove: Namespace, Bridge and Attach build a namespace
// on a bridge (eth0 in it, the port on the bridge, both up); Sysctls and
// InNS reach into it; SetLinkUp pulls and puts back the port; all of it is
// gone when the test that built it ends.
func TestLabBuildAndRemove(t *testing.T) {
	testenv.RequireNetNS(t, "sysctl")
	ns, br, port := testNames()
	t.Run("build", func(t *testing.T) {
		Bridge(t, br)
		Namespace(t, ns)
		Attach(t, br, ns, port)
		if out := Run(t, "ip", "-o", "link", "show", port); !strings.Contains(out, "master "+br) || !linkUp(out) {
			t.Errorf("port not up on the bridge: %s", out)
		}
		if out := InNS(t, ns, "ip", "-o", "link", "show", "eth0"); !linkUp(out) {
			t.Errorf("eth0 in %s not up: %s", ns, out)
		}
		if out := InNS(t, ns, "ip", "-o", "link", "show", "lo"); !linkUp(out) {
			t.Errorf("lo in %s not up: %s", ns, out)
		}
		Sysctls(t, ns, "net.ipv4.ip_forward=1")
		if out := InNS(t, ns, "sysctl", "-n", "net.ipv4.ip_forward"); strings.TrimSpace(out) != "1" {
			t.Errorf("ip_forward in %s is %q after Sysctls", ns, out)
		}
		for _, up := range []bool{false, true} {
			SetLinkUp(t, port, up)
			if out := Run(t, "ip", "-o", "link", "show", port); linkUp(out) != up {
				t.Errorf("SetLinkUp(%s, %v): %s", port, up, out)
			}
		}
	})
	if exec.Command("ip", "link", "show", br).Run() == nil || exec.Command("ip", "link", "show", port).Run() == nil {
		t.Errorf("bridge %s or port %s left after the test", br, port)
	}
	if out, _ := exec.Command("ip", "netns", "list").Output(); strings.Contains(string(out), ns+" ") || strings.Contains(string(out), ns+"\n") {
		t.Errorf("namespace %s left after the test: %s", ns, out)
	}
}

// linkUp reads the administrative UP flag from `ip -o link show` output.
func linkUp(out string) bool {
	i, j := strings.IndexByte(out, '<'), strings.IndexByte(out, '>')
	if i < 0 || j < i {
		return false
	}
	for _, f := range strings.Split(out[i+1:j], ",") {
		if f == "UP" {
			return true
		}
	}
	return false
}

// TestSetLinkUpNoSuchLink: an unknown interface is an error that names it.
func TestSetLinkUpNoSuchLink(t *testing.T) {
	err := setLinkFlag("vmlabnosuch0", false)
	if err == nil || !strings.Contains(err.Error(), "vmlabnosuch0") {
		t.Fatalf("error %v, want one naming the interface", err)
	}
}

// TestStartInNamespace: a program started in a namespace runs there (the
// pid is its own: ip netns exec execs it).
func TestStartInNamespace(t *testing.T) {
	testenv.RequireNetNS(t)
	ns, _, _ := testNames()
	Namespace(t, ns)
	p := Start(t, ns, nil, "sleep", "60")
	for end := time.Now().Add(10 * time.Second); comm(p.Pid()) != "sleep"; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("pid %d is %q, not sleep", p.Pid(), comm(p.Pid()))
		}
	}
	its, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", p.Pid()))
	if err != nil {
		t.Fatal(err)
	}
	var st syscall.Stat_t
	if err := syscall.Stat("/run/netns/"+ns, &st); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("net:[%d]", st.Ino); its != want {
		t.Errorf("sleep runs in %s, want %s's %s", its, ns, want)
	}
}

// comm is the name of process pid's program ("" once it is gone).
func comm(pid int) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	return strings.TrimSpace(string(b))
}
