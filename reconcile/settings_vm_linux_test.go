package reconcile

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/checkpath"
)

// TestNodeSettingsRepairedInVM: on the real kernel, the loop sets
// node.ipvs's timeouts and sysctls; ipvsadm -L --timeout and /proc/sys
// show them; a change by hand (ipvsadm --set, a write into /proc/sys) is
// put back by the next resync.
func TestNodeSettingsRepairedInVM(t *testing.T) {
	requireVMIPVS(t)
	c, err := kernel.Dial(kernel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	sys := checkpath.ProcSysctls{}
	names := []string{"expire_nodest_conn", "expire_quiescent_template", "conntrack", "sloppy_tcp", "conn_reuse_mode"}
	orig, err := c.Timeouts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	saved := map[string]string{}
	for _, n := range names {
		v, err := sys.Get("net/ipv4/vs/" + n)
		if err != nil {
			t.Fatal(err)
		}
		saved[n] = v
	}
	t.Cleanup(func() {
		c.SetTimeouts(ctx, orig)
		for n, v := range saved {
			sys.Set("net/ipv4/vs/"+n, v)
		}
	})
	t.Logf("before: timeouts %+v, sysctls %v", orig, saved)
	// Start from values all different from the config's, whatever earlier
	// tests in this VM left (a loop with node.ipvs defaults sets two of them).
	start := map[string]string{"expire_nodest_conn": "0", "expire_quiescent_template": "0", "conntrack": "0",
		"sloppy_tcp": "0", "conn_reuse_mode": "1"}
	for n, v := range start {
		if err := sys.Set("net/ipv4/vs/"+n, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.SetTimeouts(ctx, kernel.Timeouts{TCP: 900, TCPFin: 120, UDP: 300}); err != nil {
		t.Fatal(err)
	}

	cfg := config(t, "node.yaml", `node:
  name: lb1
  interface: dummy0
  scope: {prefixes: [192.0.2.0/24]}
  resync_interval: 1s
  ipvs:
    timeouts: {tcp: 1h, tcp_fin: 30s, udp: 1m}
    conntrack: true
    sloppy_tcp: true
    conn_reuse_mode: 2
`)
	l := NewLoop(LoopOptions{Kernel: c, Settings: NewNodeSettings(c, sys)})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- l.Run(runCtx, time.Second) }()
	defer func() { cancel(); <-done }()
	l.SetConfig(cfg)

	wantSysctls := map[string]string{"expire_nodest_conn": "1", "expire_quiescent_template": "1", "conntrack": "1",
		"sloppy_tcp": "1", "conn_reuse_mode": "2"}
	inStep := func() (bool, string) {
		out, err := exec.Command("ipvsadm", "-L", "--timeout").CombinedOutput()
		if err != nil {
			t.Fatalf("ipvsadm -L --timeout: %v\n%s", err, out)
		}
		ok := strings.Contains(string(out), "Timeout (tcp tcpfin udp): 3600 30 60")
		var b strings.Builder
		b.WriteString(strings.TrimSpace(string(out)))
		for n, want := range wantSysctls {
			v, err := sys.Get("net/ipv4/vs/" + n)
			ok = ok && err == nil && v == want
			b.WriteString("; " + n + "=" + v)
		}
		return ok, b.String()
	}
	waitInStep := func(what string) {
		t.Helper()
		start := time.Now()
		for {
			ok, state := inStep()
			if ok {
				t.Logf("%s: in step after %v: %s", what, time.Since(start).Round(time.Millisecond), state)
				return
			}
			if time.Since(start) > 15*time.Second {
				t.Fatalf("%s: not in step after 15s: %s\nstatus: %+v", what, state, l.Status())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	waitInStep("first round")
	if st := l.Status(); st.SettingsAppliedTotal != (SettingCounts{Timeouts: 3, Sysctls: 5}) || st.SettingsFailedTotal.Total() != 0 {
		t.Errorf("counts after the first round: applied %+v failed %+v", st.SettingsAppliedTotal, st.SettingsFailedTotal)
	}

	if out, err := exec.Command("ipvsadm", "--set", "100", "101", "102").CombinedOutput(); err != nil {
		t.Fatalf("ipvsadm --set: %v\n%s", err, out)
	}
	if err := sys.Set("net/ipv4/vs/expire_nodest_conn", "0"); err != nil {
		t.Fatal(err)
	}
	if err := sys.Set("net/ipv4/vs/sloppy_tcp", "0"); err != nil {
		t.Fatal(err)
	}
	waitInStep("after ipvsadm --set and writes into /proc/sys")
	// The repair is seen in the counts: the three timeouts and the two
	// sysctls written again, nothing else.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		st := l.Status()
		if st.SettingsAppliedTotal == (SettingCounts{Timeouts: 6, Sysctls: 7}) && st.SettingsFailedTotal.Total() == 0 {
			t.Logf("repaired by the resync: %v", st.LastPlan)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("counts after the repair: applied %+v failed %+v, want 6 timeouts and 7 sysctls applied in all",
				st.SettingsAppliedTotal, st.SettingsFailedTotal)
		}
	}
}
