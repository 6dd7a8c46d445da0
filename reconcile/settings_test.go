package reconcile

import (
	"context"
	"errors"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/kerneltest"
)

// opLines renders setting ops one per line.
func opLines(ops []SettingOp) string {
	var b strings.Builder
	for _, op := range ops {
		b.WriteString(op.String() + "\n")
	}
	return b.String()
}

func TestPlanSettings(t *testing.T) {
	want := desired.IPVSSettings{
		Timeouts: desired.IPVSTimeouts{TCP: time.Hour, UDP: 300 * time.Second},
		Sysctls:  []desired.Sysctl{{Name: "conntrack", Value: 1}, {Name: "expire_nodest_conn", Value: 1}, {Name: "sloppy_tcp", Value: 0}},
	}
	fresh := LiveSettings{Timeouts: kernel.Timeouts{TCP: 900, TCPFin: 120, UDP: 300}, HaveTimeouts: true,
		Sysctls: map[string]int64{"net.ipv4.vs.conntrack": 0, "net.ipv4.vs.expire_nodest_conn": 0, "net.ipv4.vs.sloppy_tcp": 0}}
	for _, c := range []struct {
		name string
		want desired.IPVSSettings
		live LiveSettings
		ops  string
	}{
		{"a fresh node", want, fresh,
			"set ipvs timeout tcp 900s -> 3600s\nset sysctl net.ipv4.vs.conntrack 0 -> 1\nset sysctl net.ipv4.vs.expire_nodest_conn 0 -> 1\n"},
		{"in step", want, LiveSettings{Timeouts: kernel.Timeouts{TCP: 3600, TCPFin: 7, UDP: 300}, HaveTimeouts: true,
			Sysctls: map[string]int64{"net.ipv4.vs.conntrack": 1, "net.ipv4.vs.expire_nodest_conn": 1, "net.ipv4.vs.sloppy_tcp": 0}}, ""},
		{"a boolean set to 2 by hand", want, LiveSettings{Timeouts: kernel.Timeouts{TCP: 3600, UDP: 300}, HaveTimeouts: true,
			Sysctls: map[string]int64{"net.ipv4.vs.conntrack": 2, "net.ipv4.vs.expire_nodest_conn": 1, "net.ipv4.vs.sloppy_tcp": 0}},
			"set sysctl net.ipv4.vs.conntrack 2 -> 1\n"},
		{"nothing read", want, LiveSettings{},
			"set ipvs timeout tcp ? -> 3600s\nset ipvs timeout udp ? -> 300s\nset sysctl net.ipv4.vs.conntrack ? -> 1\n" +
				"set sysctl net.ipv4.vs.expire_nodest_conn ? -> 1\nset sysctl net.ipv4.vs.sloppy_tcp ? -> 0\n"},
		{"nothing kept", desired.IPVSSettings{}, fresh, ""},
	} {
		if got := opLines(PlanSettings(c.want, c.live)); got != c.ops {
			t.Errorf("%s:\n%swant:\n%s", c.name, got, c.ops)
		}
	}
}

// TestSettingsAfter: diff's view of a node that ran a config: what it set
// is known, a setting it left as found is "?".
func TestSettingsAfter(t *testing.T) {
	old := desired.IPVSSettings{Timeouts: desired.IPVSTimeouts{TCP: time.Hour}, Sysctls: desired.DefaultIPVSSysctls}
	next := desired.IPVSSettings{Timeouts: desired.IPVSTimeouts{TCP: 2 * time.Hour, UDP: time.Minute},
		Sysctls: append(slices.Clone(desired.DefaultIPVSSysctls), desired.Sysctl{Name: "sloppy_tcp", Value: 1})}
	got := opLines(PlanSettings(next, SettingsAfter(old)))
	want := "set ipvs timeout tcp 3600s -> 7200s\nset ipvs timeout udp ? -> 60s\nset sysctl net.ipv4.vs.sloppy_tcp ? -> 1\n"
	if got != want {
		t.Errorf("got:\n%swant:\n%s", got, want)
	}
	if ops := PlanSettings(old, SettingsAfter(old)); len(ops) != 0 {
		t.Errorf("the same config again: %v", ops)
	}
}

// settingsEnv is a NodeSettings over the fake kernel's timeouts and fake
// sysctls.
type settingsEnv struct {
	n   *NodeSettings
	c   *kernel.Client
	sys *kerneltest.Sysctls
}

func newSettingsEnv(t *testing.T, sys *kerneltest.Sysctls) settingsEnv {
	_, c := fakeWith(t)
	kc := c.(*kernel.Client)
	return settingsEnv{n: NewNodeSettings(kc, sys), c: kc, sys: sys}
}

func (e settingsEnv) timeouts(t *testing.T) kernel.Timeouts {
	t.Helper()
	to, err := e.c.Timeouts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return to
}

func resultLines(res []SettingResult) string {
	var b strings.Builder
	for _, r := range res {
		b.WriteString(r.Op.String())
		if r.Err != nil {
			b.WriteString(" FAILED")
		}
		b.WriteString("\n")
	}
	return b.String()
}

var testSettings = desired.IPVSSettings{
	Timeouts: desired.IPVSTimeouts{TCP: time.Hour, TCPFin: 30 * time.Second},
	Sysctls:  []desired.Sysctl{{Name: "conntrack", Value: 1}, {Name: "expire_nodest_conn", Value: 1}, {Name: "expire_quiescent_template", Value: 1}},
}

// TestNodeSettingsSyncAndRepair: the first Sync applies what differs, in
// one SET_CONFIG for the timeouts (udp left); the next changes nothing and
// reads nothing; a change by hand is seen and repaired after Reread.
func TestNodeSettingsSyncAndRepair(t *testing.T) {
	ctx := context.Background()
	e := newSettingsEnv(t, kerneltest.NewIPVSSysctls())
	res, err := e.n.Sync(ctx, testSettings)
	want := "set ipvs timeout tcp 900s -> 3600s\nset ipvs timeout tcp_fin 120s -> 30s\nset sysctl net.ipv4.vs.conntrack 0 -> 1\n" +
		"set sysctl net.ipv4.vs.expire_nodest_conn 0 -> 1\nset sysctl net.ipv4.vs.expire_quiescent_template 0 -> 1\n"
	if got := resultLines(res); err != nil || got != want {
		t.Fatalf("first sync: %v\n%swant:\n%s", err, got, want)
	}
	if got := e.timeouts(t); got != (kernel.Timeouts{TCP: 3600, TCPFin: 30, UDP: 300}) {
		t.Errorf("kernel timeouts %+v", got)
	}
	if res, err := e.n.Sync(ctx, testSettings); err != nil || len(res) != 0 {
		t.Errorf("second sync: %v %v", resultLines(res), err)
	}

	// By hand, as ipvsadm --set and echo into /proc/sys would.
	if err := e.c.SetTimeouts(ctx, kernel.Timeouts{TCP: 60}); err != nil {
		t.Fatal(err)
	}
	e.sys.Set("net/ipv4/vs/expire_nodest_conn", "0")
	if res, _ := e.n.Sync(ctx, testSettings); len(res) != 0 {
		t.Errorf("without a resync the cache is trusted: %s", resultLines(res))
	}
	e.n.Reread()
	res, err = e.n.Sync(ctx, testSettings)
	if got, want := resultLines(res), "set ipvs timeout tcp 60s -> 3600s\nset sysctl net.ipv4.vs.expire_nodest_conn 0 -> 1\n"; err != nil || got != want {
		t.Errorf("after Reread: %v\n%swant:\n%s", err, got, want)
	}
	if got := e.timeouts(t); got != (kernel.Timeouts{TCP: 3600, TCPFin: 30, UDP: 300}) {
		t.Errorf("kernel timeouts after repair %+v", got)
	}
}

// TestNodeSettingsFailures: a write that fails is reported and retried by
// the next Sync while the others take effect; a sysctl that does not
// exist is a read error that says why, and is not written blind.
func TestNodeSettingsFailures(t *testing.T) {
	ctx := context.Background()
	vals := map[string]string{}
	for k, v := range kerneltest.IPVSSysctlDefaults {
		if k != "net/ipv4/vs/conntrack" { // a kernel without CONFIG_IP_VS_NFCT
			vals[k] = v
		}
	}
	e := newSettingsEnv(t, kerneltest.NewSysctls(vals))
	e.sys.FailSet("net/ipv4/vs/expire_nodest_conn", syscall.EACCES)
	res, err := e.n.Sync(ctx, testSettings)
	want := "set ipvs timeout tcp 900s -> 3600s\nset ipvs timeout tcp_fin 120s -> 30s\n" +
		"set sysctl net.ipv4.vs.expire_nodest_conn 0 -> 1 FAILED\nset sysctl net.ipv4.vs.expire_quiescent_template 0 -> 1\n"
	if got := resultLines(res); got != want {
		t.Errorf("results:\n%swant:\n%s", got, want)
	}
	for _, part := range []string{"read sysctl net/ipv4/vs/conntrack", "CONFIG_IP_VS_NFCT",
		"1 of 4 node settings failed, first: set sysctl net.ipv4.vs.expire_nodest_conn 0 -> 1: write sysctl"} {
		if err == nil || !strings.Contains(err.Error(), part) {
			t.Errorf("error %v: want it to contain %q", err, part)
		}
	}
	if !errors.Is(err, syscall.EACCES) {
		t.Errorf("error %v does not match EACCES", err)
	}
	e.sys.FailSet("net/ipv4/vs/expire_nodest_conn", nil)
	res, err = e.n.Sync(ctx, testSettings)
	if got := resultLines(res); got != "set sysctl net.ipv4.vs.expire_nodest_conn 0 -> 1\n" || err == nil || strings.Contains(err.Error(), "failed") {
		t.Errorf("retry:\n%s%v (want the write retried; only the missing conntrack left as an error)", got, err)
	}
}

// TestNodeSettingsNilLeavesAlone: without timeouts or sysctls, those
// settings are left alone, whatever the config says.
func TestNodeSettingsNilLeavesAlone(t *testing.T) {
	sys := kerneltest.NewIPVSSysctls()
	res, err := NewNodeSettings(nil, sys).Sync(context.Background(), testSettings)
	if err != nil || strings.Contains(resultLines(res), "timeout") || len(res) != 3 {
		t.Errorf("no timeouts: %s%v", resultLines(res), err)
	}
	e := newSettingsEnv(t, nil)
	e.n = NewNodeSettings(e.c, nil)
	res, err = e.n.Sync(context.Background(), testSettings)
	if err != nil || strings.Contains(resultLines(res), "sysctl") || len(res) != 2 {
		t.Errorf("no sysctls: %s%v", resultLines(res), err)
	}
}
