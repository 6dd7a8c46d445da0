package daemon

import (
	"context"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/internal/hooks"
	"github.com/seesaw-lb/seesaw/reconcile"
	"github.com/seesaw-lb/seesaw/vrrp"
)

// feedEvents runs steps against a hookFeed whose one hook records
// "EVENT SERVICE STATE<-PREVIOUS VIPS" per run, waits for n runs, and
// returns the lines.
func feedEvents(t *testing.T, cfg desired.Config, n uint64, steps func(f *hookFeed, cfg desired.Config)) []string {
	t.Helper()
	return feedEventsAs(t, `$SEESAW_EVENT $SEESAW_SERVICE $SEESAW_STATE<-$SEESAW_PREVIOUS_STATE $SEESAW_VIPS`, cfg, n, steps)
}

// feedEventsAs is feedEvents with the recorded line line, a shell word
// list in double quotes (SEESAW_* variables expanded).
func feedEventsAs(t *testing.T, line string, cfg desired.Config, n uint64, steps func(f *hookFeed, cfg desired.Config)) []string {
	t.Helper()
	return feedEventsLimited(t, line, cfg, nil, n, steps)
}

// feedEventsLimited is feedEventsAs with the recording hook's Services and
// Instances (limit's), when limit is not nil.
func feedEventsLimited(t *testing.T, line string, cfg desired.Config, limit *desired.Hook, n uint64,
	steps func(f *hookFeed, cfg desired.Config)) []string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("hooks run on Unix only")
	}
	out := filepath.Join(t.TempDir(), "events")
	prog := filepath.Join(t.TempDir(), "hook.sh")
	body := "#!/bin/sh\necho \"" + line + "\" >> " + out + "\n"
	if err := os.WriteFile(prog, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	var all []desired.HookEvent
	all = append(all, desired.HookEvents...)
	rec := desired.Hook{Name: "rec", On: all, Run: []string{prog}, Timeout: 10 * time.Second}
	if limit != nil {
		rec.Services, rec.Instances = limit.Services, limit.Instances
	}
	cfg.Node.Notify = []desired.Hook{rec}
	f := newHookFeed(hooks.New(hooks.Options{Log: slog.New(slog.DiscardHandler)}))
	f.configure(cfg)
	steps(f, cfg)
	eventually(t, "the runs", func() bool { return f.runner.Stats()["rec"].OK >= n })
	time.Sleep(50 * time.Millisecond) // a run too many would show
	if err := f.runner.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

func svcStatus(up ...bool) reconcile.Status {
	st := reconcile.Status{LastRound: time.Now()}
	for i, u := range up {
		st.Services = append(st.Services, reconcile.ServiceStatus{Name: []string{"api", "web"}[i], Up: u})
	}
	return st
}

// TestHookFeedServiceEvents: a service reports a change of watermark
// position only; first seen, it counts as up; a round without services
// (failed before planning) changes nothing; a removed service is forgotten.
func TestHookFeedServiceEvents(t *testing.T) {
	cfg := desired.Config{Node: desired.Node{Name: "lb1"}, Services: []desired.Service{
		{Name: "api", VIP: netip.MustParseAddr("192.0.2.20")}, {Name: "web", VIP: netip.MustParseAddr("192.0.2.10")}}}
	got := feedEvents(t, cfg, 3, func(f *hookFeed, cfg desired.Config) {
		f.round(svcStatus(true, false)) // start: web down is news, api up is not
		f.round(svcStatus(true, false)) // no change
		f.round(reconcile.Status{})     // a failed round
		f.round(svcStatus(false, true)) // both flip
		f.configure(desired.Config{Node: cfg.Node, Services: cfg.Services[1:]})
		f.configure(cfg)               // api removed and added back: forgotten
		f.round(svcStatus(true, true)) // api first seen again, up: nothing
	})
	want := []string{
		"service_down web down<-up 192.0.2.10",
		"service_down api down<-up 192.0.2.20",
		"service_up web up<-down 192.0.2.10",
	}
	if !slices.Equal(got, want) {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestHookFeedVRRPEvents: VRRP transitions map onto master, backup, fault
// (link down) and stop (shutdown), a repeated state is reported once.
func TestHookFeedVRRPEvents(t *testing.T) {
	vips := []netip.Addr{netip.MustParseAddr("192.0.2.10")}
	got := feedEvents(t, desired.Config{Node: desired.Node{Name: "lb1", VRRP: &desired.VRRP{}}}, 5, func(f *hookFeed, _ desired.Config) {
		for _, ev := range []vrrp.Event{
			{State: vrrp.Backup, Reason: vrrp.ReasonStartup},
			{State: vrrp.Master, Reason: vrrp.ReasonMasterDown},
			{State: vrrp.Initialize, Reason: vrrp.ReasonLinkDown},
			{State: vrrp.Backup, Reason: vrrp.ReasonStartup},
			{State: vrrp.Backup, Reason: vrrp.ReasonStartup},
			{State: vrrp.Initialize, Reason: vrrp.ReasonShutdown},
		} {
			f.vrrpEvent(defaultInstance, ev, vips)
		}
	})
	want := []string{
		"backup  backup<-initialize 192.0.2.10",
		"master  master<-backup 192.0.2.10",
		"fault  fault<-master 192.0.2.10",
		"backup  backup<-fault 192.0.2.10",
		"stop  stop<-backup 192.0.2.10",
	}
	if !slices.Equal(got, want) {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestHookFeedMasterWaitsForTheVIPs: a "master" event runs its hooks only
// once a round as master has added the VIPs, as keepalived's notify_master
// runs after it has added them.
func TestHookFeedMasterWaitsForTheVIPs(t *testing.T) {
	vips := []netip.Addr{netip.MustParseAddr("192.0.2.10")}
	got := feedEvents(t, desired.Config{Node: desired.Node{Name: "lb1", VRRP: &desired.VRRP{}}}, 1, func(f *hookFeed, _ desired.Config) {
		f.vrrpEvent(defaultInstance, vrrp.Event{State: vrrp.Master, Reason: vrrp.ReasonMasterDown}, vips)
		f.round(reconcile.Status{Master: false}) // a round from before the takeover
		time.Sleep(100 * time.Millisecond)
		if n := f.runner.Stats()["rec"].OK; n != 0 {
			t.Errorf("the master hook ran %d times before a round as master", n)
		}
		f.round(reconcile.Status{Master: true})
	})
	if want := []string{"master  master<-initialize 192.0.2.10"}; !slices.Equal(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
}

// twoInstanceConfig is a node with VRRP instances web and db, and
// services api (on db) and web (on the node's first instance, web).
func twoInstanceConfig() desired.Config {
	cfg := desired.Config{
		Node: desired.Node{Name: "lb1", VRRPInstances: []desired.VRRP{{Name: "web", VRID: 61}, {Name: "db", VRID: 62}}},
		Services: []desired.Service{
			{Name: "api", VIP: netip.MustParseAddr("192.0.2.20"), VRRPInstance: "db"},
			{Name: "web", VIP: netip.MustParseAddr("192.0.2.10")},
		},
	}
	cfg.Node.VRRP = &cfg.Node.VRRPInstances[0]
	return cfg
}

// TestHookFeedTwoInstances: with two VRRP instances, a state change
// carries the instance that changed in SEESAW_INSTANCE and its own VIPs,
// each instance keeps its own previous state, and a service event carries
// the instance that holds the service's VIP (the node's first instance
// for a service that names none).
func TestHookFeedTwoInstances(t *testing.T) {
	cfg := twoInstanceConfig()
	webVIPs := []netip.Addr{netip.MustParseAddr("192.0.2.10")}
	dbVIPs := []netip.Addr{netip.MustParseAddr("192.0.2.20"), netip.MustParseAddr("192.0.2.50")}
	got := feedEventsAs(t, `$SEESAW_EVENT $SEESAW_INSTANCE $SEESAW_SERVICE $SEESAW_STATE<-$SEESAW_PREVIOUS_STATE $SEESAW_VIPS`, cfg, 6,
		func(f *hookFeed, _ desired.Config) {
			f.vrrpEvent("web", vrrp.Event{State: vrrp.Backup, Reason: vrrp.ReasonStartup}, webVIPs)
			f.vrrpEvent("db", vrrp.Event{State: vrrp.Backup, Reason: vrrp.ReasonStartup}, dbVIPs)
			f.vrrpEvent("db", vrrp.Event{State: vrrp.Master, Reason: vrrp.ReasonMasterDown}, dbVIPs)
			f.round(reconcile.Status{Master: true}) // db's VIPs added: its master hook runs
			eventually(t, "db's master run", func() bool { return f.runner.Stats()["rec"].OK >= 3 })
			f.vrrpEvent("web", vrrp.Event{State: vrrp.Backup, Reason: vrrp.ReasonStartup}, webVIPs) // no change of web
			f.round(svcStatus(false, true))
			eventually(t, "api's run", func() bool { return f.runner.Stats()["rec"].OK >= 4 })
			f.round(svcStatus(false, false))
			eventually(t, "web's run", func() bool { return f.runner.Stats()["rec"].OK >= 5 })
			f.vrrpEvent("web", vrrp.Event{State: vrrp.Initialize, Reason: vrrp.ReasonShutdown}, webVIPs)
		})
	want := []string{
		"backup web  backup<-initialize 192.0.2.10",
		"backup db  backup<-initialize 192.0.2.20 192.0.2.50",
		"master db  master<-backup 192.0.2.20 192.0.2.50",
		"service_down db api down<-up 192.0.2.20",
		"service_down web web down<-up 192.0.2.10",
		"stop web  stop<-backup 192.0.2.10",
	}
	if !slices.Equal(got, want) {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestHookFeedInstancesFilter: a hook limited to one VRRP instance runs on
// that instance's state changes only, and on every service event (the
// filter is the config's node.notify[].instances).
func TestHookFeedInstancesFilter(t *testing.T) {
	cfg := twoInstanceConfig()
	webVIPs := []netip.Addr{netip.MustParseAddr("192.0.2.10")}
	dbVIPs := []netip.Addr{netip.MustParseAddr("192.0.2.20")}
	got := feedEventsLimited(t, `$SEESAW_EVENT $SEESAW_INSTANCE $SEESAW_SERVICE $SEESAW_STATE<-$SEESAW_PREVIOUS_STATE`, cfg,
		&desired.Hook{Instances: []string{"web"}}, 3,
		func(f *hookFeed, _ desired.Config) {
			f.vrrpEvent("db", vrrp.Event{State: vrrp.Backup, Reason: vrrp.ReasonStartup}, dbVIPs)
			f.vrrpEvent("web", vrrp.Event{State: vrrp.Backup, Reason: vrrp.ReasonStartup}, webVIPs)
			eventually(t, "web's backup run", func() bool { return f.runner.Stats()["rec"].OK >= 1 })
			f.round(svcStatus(false, true))
			eventually(t, "api's run", func() bool { return f.runner.Stats()["rec"].OK >= 2 })
			f.vrrpEvent("db", vrrp.Event{State: vrrp.Initialize, Reason: vrrp.ReasonShutdown}, dbVIPs)
			f.vrrpEvent("web", vrrp.Event{State: vrrp.Initialize, Reason: vrrp.ReasonShutdown}, webVIPs)
		})
	want := []string{
		"backup web  backup<-initialize",
		"service_down db api down<-up",
		"stop web  stop<-backup",
	}
	if !slices.Equal(got, want) {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
