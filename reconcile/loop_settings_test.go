package reconcile

import (
	"context"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/kerneltest"
)

const ipvsNodeYAML = `node:
  name: lb1
  interface: eth1
  scope: {prefixes: [192.0.2.0/24]}
  ipvs: {timeouts: {tcp: 1h}, sloppy_tcp: true}
`

// newSettingsLoop is a loop over the fake kernel with node settings kept
// in the fake sysctls.
func newSettingsLoop(t *testing.T, resync time.Duration) (*loopEnv, *kerneltest.Sysctls) {
	e := newLoopEnv(t)
	sys := kerneltest.NewIPVSSysctls()
	e.l = NewLoop(LoopOptions{Kernel: e.k, VIPs: e.vips, Now: func() time.Time { return e.now },
		Settings: NewNodeSettings(e.raw.(*kernel.Client), sys)})
	cfg := config(t, "node.yaml", ipvsNodeYAML, "svc.yaml", "services:\n"+webYAML)
	cfg.Node.ResyncInterval = resync
	e.l.SetConfig(cfg)
	return e, sys
}

// TestLoopAppliesNodeSettings: the first round applies the IPVS plan and
// the node settings, counts them and lists them in LastPlan; a failing
// setting fails the round (backoff) without holding up the IPVS ops, and
// the retry applies it.
func TestLoopAppliesNodeSettings(t *testing.T) {
	e, sys := newSettingsLoop(t, 0)
	sys.FailSet("net/ipv4/vs/sloppy_tcp", syscall.EROFS)
	st, wait := e.round(t)
	if st.Applied[kernel.AddService] != 2 || st.Applied[kernel.AddDestination] == 0 || len(st.Failed) != 0 {
		t.Errorf("IPVS ops %v: the failing setting must not hold them up", st.Applied)
	}
	if want := (SettingCounts{Timeouts: 1, Sysctls: 2}); st.SettingsApplied != want || st.SettingsFailed != (SettingCounts{Sysctls: 1}) {
		t.Errorf("settings applied %+v failed %+v, want %+v and one sysctl failed", st.SettingsApplied, st.SettingsFailed, want)
	}
	if wait <= 0 || !strings.Contains(st.Error, "node settings: 1 of 4 node settings failed") {
		t.Errorf("round: wait %v, error %q: want a backoff retry and the failure named", wait, st.Error)
	}
	for _, line := range []string{"~ set ipvs timeout tcp 900s -> 3600s", "~ set sysctl net.ipv4.vs.sloppy_tcp 0 -> 1",
		"~ set sysctl net.ipv4.vs.expire_nodest_conn 0 -> 1"} {
		if !slices.Contains(st.LastPlan, line) {
			t.Errorf("LastPlan %q lacks %q", st.LastPlan, line)
		}
	}
	sys.FailSet("net/ipv4/vs/sloppy_tcp", nil)
	st, wait = e.round(t)
	if st.Error != "" || wait != 0 || st.SettingsApplied != (SettingCounts{Sysctls: 1}) ||
		st.SettingsAppliedTotal != (SettingCounts{Timeouts: 1, Sysctls: 3}) || st.SettingsFailedTotal != (SettingCounts{Sysctls: 1}) {
		t.Errorf("retry: %+v, wait %v", st, wait)
	}
	if v, _ := sys.Get("net/ipv4/vs/sloppy_tcp"); v != "1" {
		t.Errorf("sloppy_tcp = %s after the retry", v)
	}
	st, _ = e.round(t)
	if st.SettingsApplied.Total() != 0 {
		t.Errorf("a round in step changed settings: %+v", st.SettingsApplied)
	}
}

// TestLoopResyncRepairsNodeSettings: a timeout and a sysctl changed by
// hand are put back by the periodic resync (here every second).
func TestLoopResyncRepairsNodeSettings(t *testing.T) {
	e, sys := newSettingsLoop(t, time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- e.l.Run(ctx, time.Second) }()
	defer func() { cancel(); <-done }()
	c := e.raw.(*kernel.Client)
	inStep := func() bool {
		to, err := c.Timeouts(context.Background())
		v, _ := sys.Get("net/ipv4/vs/expire_nodest_conn")
		return err == nil && to.TCP == 3600 && v == "1"
	}
	waitFor(t, "the first round's settings", inStep)
	if err := c.SetTimeouts(context.Background(), kernel.Timeouts{TCP: 42}); err != nil {
		t.Fatal(err)
	}
	sys.Set("net/ipv4/vs/expire_nodest_conn", "0")
	waitFor(t, "the resync to repair the hand changes", inStep)
	waitFor(t, "the repair counted", func() bool {
		return e.l.Status().SettingsAppliedTotal == (SettingCounts{Timeouts: 2, Sysctls: 4})
	})
}
