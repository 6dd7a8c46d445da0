//go:build linux

package vmlab

import (
	"os/exec"
	"strings"
	"testing"
)

// Run runs the command args in the current namespace and returns its
// combined output; if it fails, t fails with the command and its output.
func Run(t testing.TB, args ...string) string {
	t.Helper()
	if len(args) == 0 {
		t.Fatal("run a command: no command given")
	}
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// InNS runs the command args in network namespace ns as Run does.
func InNS(t testing.TB, ns string, args ...string) string {
	t.Helper()
	return Run(t, append([]string{"ip", "netns", "exec", ns}, args...)...)
}

// Sysctls sets each "key=value" of kv in namespace ns (sysctl -w).
func Sysctls(t testing.TB, ns string, kv ...string) {
	t.Helper()
	for _, s := range kv {
		InNS(t, ns, "sysctl", "-q", "-w", s)
	}
}

// Namespace creates the network namespace ns with its loopback up; the
// namespace is deleted when t ends.
func Namespace(t testing.TB, ns string) {
	t.Helper()
	Run(t, "ip", "netns", "add", ns)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	Run(t, "ip", "-n", ns, "link", "set", "lo", "up")
}

// Bridge creates the bridge name in the current (root) namespace and sets
// it up; the bridge is deleted when t ends.
func Bridge(t testing.TB, name string) {
	t.Helper()
	Run(t, "ip", "link", "add", name, "type", "bridge")
	t.Cleanup(func() { exec.Command("ip", "link", "del", name).Run() })
	Run(t, "ip", "link", "set", name, "up")
}

// Attach puts namespace ns on bridge br: a veth pair whose end in ns is
// eth0 and whose end in the current namespace, port, is a port of br; both
// ends are set up. The pair is deleted when t ends.
func Attach(t testing.TB, br, ns, port string) {
	t.Helper()
	Run(t, "ip", "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns)
	// A namespace goes away asynchronously; deleting the pair at once
	// frees the port's name for the next lab.
	t.Cleanup(func() { exec.Command("ip", "link", "del", port).Run() })
	Run(t, "ip", "link", "set", port, "master", br, "up")
	Run(t, "ip", "-n", ns, "link", "set", "eth0", "up")
}
