package smoke

import (
	"strings"
	"testing"
)

// TestNetnsVeth joins a new network namespace to the VM's own with a veth
// pair, as the reconcile end-to-end tests do with backend namespaces, and
// pings across it.
func TestNetnsVeth(t *testing.T) {
	requireVM(t)
	run(t, "", "ip", "netns", "add", "smoke-b")
	t.Cleanup(func() {
		_, _ = runErr("", "ip", "link", "del", "smoke-a")
		_, _ = runErr("", "ip", "netns", "del", "smoke-b")
	})
	run(t, "", "ip", "link", "add", "smoke-a", "type", "veth", "peer", "name", "smoke-b", "netns", "smoke-b")
	run(t, "", "ip", "addr", "add", "198.51.100.1/24", "dev", "smoke-a")
	run(t, "", "ip", "link", "set", "smoke-a", "up")
	run(t, "", "ip", "-n", "smoke-b", "addr", "add", "198.51.100.2/24", "dev", "smoke-b")
	run(t, "", "ip", "-n", "smoke-b", "link", "set", "smoke-b", "up")
	run(t, "", "ip", "-n", "smoke-b", "link", "set", "lo", "up")

	out := run(t, "", "ip", "netns", "exec", "smoke-b", "ip", "-4", "-o", "addr", "show", "dev", "smoke-b")
	if !strings.Contains(out, "198.51.100.2/24") {
		t.Errorf("ip netns exec smoke-b ip addr: %q lacks 198.51.100.2/24", out)
	}
	run(t, "", "ping", "-c", "1", "-W", "5", "198.51.100.2")
	run(t, "", "ip", "netns", "exec", "smoke-b", "ping", "-c", "1", "-W", "5", "198.51.100.1")
}
