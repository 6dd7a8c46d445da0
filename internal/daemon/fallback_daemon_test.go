package daemon

import (
	"fmt"
	"strings"
	"testing"

	"github.com/seesaw-lb/seesaw/kernel/kerneltest"
)

// TestDaemonFallbackFollowsRealChecks: with real checks on loopback, the
// fallback comes in when the only backend stops answering and goes when
// the fallback's own check fails; status marks it and shows its check.
func TestDaemonFallbackFollowsRealChecks(t *testing.T) {
	ln2, p2 := loopbackServer(t, "127.0.0.2")
	ln4, p4 := loopbackServer(t, "127.0.0.4")
	files := map[string]string{
		"node.yaml": "node: {name: lb1, interface: eth1, scope: {prefixes: [192.0.2.0/24]}}\n",
		"web.yaml": fmt.Sprintf("services:\n  - name: web\n    vip: 192.0.2.10\n    ports: [{proto: tcp, port: 80}]\n    forward: nat\n"+
			"    checks: [{type: tcp, interval: 50ms, timeout: 40ms, fall: 2, rise: 1}]\n"+
			"    backends: [{address: 127.0.0.2, port: %d}]\n"+
			"    fallback: [{address: 127.0.0.4, port: %d, checks: [{type: tcp, interval: 50ms, timeout: 40ms, fall: 2, rise: 1}]}]\n", p2, p4),
	}
	f := kerneltest.NewIPVS()
	p := startProcess(t, f, writeConfig(t, files))
	b2, fb := fmt.Sprintf("127.0.0.2:%d", p2), fmt.Sprintf("127.0.0.4:%d", p4)
	has := func(dest string, w int) func() bool {
		return func() bool { return strings.Contains(rendered(t, f), fmt.Sprintf("-r %s -g -w %d\n", dest, w)) }
	}
	absent := func(dest string) func() bool {
		return func() bool { return !strings.Contains(rendered(t, f), "-r "+dest+" ") }
	}
	eventually(t, "the backend at weight 1", has(b2, 1))
	if !absent(fb)() {
		t.Fatalf("the fallback is in while the backend serves:\n%s", rendered(t, f))
	}
	ln2.Close()
	eventually(t, "the fallback in at weight 1 once the backend fails", has(fb, 1))
	eventually(t, "status shows the fallback in use, checked", func() bool {
		r := statusOf(t, p.socket)
		if len(r.Services) != 1 || r.Services[0].FallbackInUse != 1 || len(r.Services[0].Backends) != 2 {
			return false
		}
		f := r.Services[0].Backends[1]
		return f.Fallback && f.Address == fb && f.Reason == "fallback" && f.LastCheck == "ok"
	})
	ln4.Close()
	eventually(t, "the fallback out once its own check fails", absent(fb))
	if !has(b2, 0)() {
		t.Fatalf("the failed backend is not at weight 0:\n%s", rendered(t, f))
	}
}
