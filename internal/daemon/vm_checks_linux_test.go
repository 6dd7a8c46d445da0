package daemon

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDaemonChecksAgainstRealIPVS runs the whole daemon in the VM: two
// backends listen on addresses of dummy0, a tcp check watches them, and the
// one the test stops goes to weight 0 in the kernel's table; drain over the
// control socket does the same to the other; status and metrics answer.
func TestDaemonChecksAgainstRealIPVS(t *testing.T) {
	requireVM(t)
	ipvsadm(t, "-C")
	for _, a := range []string{"198.51.100.41/32", "198.51.100.42/32"} {
		if out, err := exec.Command("ip", "addr", "add", a, "dev", "dummy0").CombinedOutput(); err != nil {
			t.Fatalf("ip addr add %s: %v: %s", a, err, out)
		}
		t.Cleanup(func() { exec.Command("ip", "addr", "del", a, "dev", "dummy0").Run() })
	}
	_, p1 := loopbackServer(t, "198.51.100.41")
	ln2, p2 := loopbackServer(t, "198.51.100.42")
	files := checkedConfig(p1, p2)
	files["web.yaml"] = strings.NewReplacer("127.0.0.2", "198.51.100.41", "127.0.0.3", "198.51.100.42").Replace(files["web.yaml"])
	files["node.yaml"] = vmNode
	dir := writeConfig(t, files)
	socket := filepath.Join(t.TempDir(), "ctl.sock")
	d := startVMDaemon(t, dir, "--control-socket", socket, "--metrics-address", "127.0.0.1:0")
	b1, b2 := fmt.Sprintf("198.51.100.41:%d", p1), fmt.Sprintf("198.51.100.42:%d", p2)
	weight := func(b string, w int) func() bool {
		// Local destinations: the kernel may show them with any forward flag.
		re := regexp.MustCompile(fmt.Sprintf(`(?m)-r %s -[gmi] -w %d$`, regexp.QuoteMeta(b), w))
		return func() bool { return re.MatchString(ipvsadm(t, "-Sn")) }
	}
	eventually(t, "both backends at weight 1", func() bool { return weight(b1, 1)() && weight(b2, 1)() })
	ln2.Close()
	eventually(t, "the stopped backend at weight 0", weight(b2, 0))
	if !weight(b1, 1)() {
		t.Fatalf("the running backend lost its weight:\n%s\n%s", ipvsadm(t, "-Sn"), d.logs.String())
	}
	if err := ctl(socket, "drain", b1); err != nil {
		t.Fatalf("drain: %v", err)
	}
	eventually(t, "the drained backend at weight 0", weight(b1, 0))
	if r := statusOf(t, socket); r.Generation == 0 || len(r.Drained) != 1 || r.Metrics == "" {
		t.Fatalf("status: %+v", r)
	}
}
