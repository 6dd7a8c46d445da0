package kernel_test

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/seesaw-lb/seesaw/kernel"
)

// The conformance suite runs against the fake (conformance_fake_test.go) and
// the real kernel (conformance_linux_test.go, SEESAW_VM=1). Every subtest
// gets a client on an empty table. A disagreement is a bug in the fake.

type dialFunc func(t *testing.T) *kernel.Client

// suiteEnv says what the kernel under test has: Debian 12's 6.1 kernel, for
// one, has no twos scheduler (Linux 6.7+).
type suiteEnv struct {
	hasScheduler func(name string) bool
	// syncIfname is a multicast-capable interface for the sync daemons.
	syncIfname string
}

var (
	vip4  = netip.MustParseAddr("192.0.2.10")
	vip6  = netip.MustParseAddr("2001:db8::10")
	rs4a  = netip.MustParseAddr("198.51.100.21")
	rs4b  = netip.MustParseAddr("198.51.100.22")
	rs6a  = netip.MustParseAddr("2001:db8::21")
	web4  = kernel.NewServiceKey(kernel.TCP, vip4, 80)
	web6  = kernel.NewServiceKey(kernel.TCP, vip6, 80)
	dest4 = kernel.NewDestinationKey(rs4a, 80)
)

func addSvc(k kernel.ServiceKey, c kernel.ServiceConfig) kernel.Op {
	return kernel.Op{Kind: kernel.AddService, Service: k, ServiceConfig: c}
}
func addDest(k kernel.ServiceKey, d kernel.DestinationKey, c kernel.DestinationConfig) kernel.Op {
	return kernel.Op{Kind: kernel.AddDestination, Service: k, Destination: d, DestinationConfig: c}
}

// mustApply applies ops and fails on any error.
func mustApply(t *testing.T, c *kernel.Client, ops ...kernel.Op) {
	t.Helper()
	res, err := c.Apply(context.Background(), ops)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil {
			t.Fatalf("%v", r.Err)
		}
	}
}

// applyOne applies one op and returns its error.
func applyOne(t *testing.T, c *kernel.Client, op kernel.Op) error {
	t.Helper()
	res, err := c.Apply(context.Background(), []kernel.Op{op})
	if err != nil {
		t.Fatal(err)
	}
	return res[0].Err
}

func snapshot(t *testing.T, c *kernel.Client) kernel.Snapshot {
	t.Helper()
	s, err := c.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func runConformance(t *testing.T, dial dialFunc, e suiteEnv) {
	tests := map[string]func(*testing.T, *kernel.Client, suiteEnv){
		"EverySchedulerRoundTrips":     testEveryScheduler,
		"ForwardingMethodsAndTunnels":  testForwarding,
		"PersistenceNetmaskAndPE":      testPersistence,
		"FWMarkServices":               testFWMark,
		"UpdatesAndDeletes":            testUpdates,
		"BadInput":                     testBadInput,
		"FailedOpDoesNotStopOthers":    testFailedOpContinues,
		"EmptyDumpIsNotNotFound":       testEmptyDump,
		"DestinationsNewestFirst":      testNewestFirst,
		"DestinationListOrder":         testListOrder,
		"InfoTimeoutsZeroFlush":        testMisc,
		"RenderMatchesIPVSADMFormat":   testRender,
		"FullWeightRangeAndThresholds": testWeights,
		"SetServiceKeepsPEWhenResent":  testPEKept,
		"MixedFamilyNeedsTunnel":       testMixedFamily,
		"SyncDaemons":                  testDaemons,
		"SyncDaemonsRefuseMixedFamily": testDaemonsMixedFamily,
		"ReadInPartsMatchesSnapshot":   testReadInParts,
		"TimeoutsRoundTrip":            testTimeouts,
	}
	names := make([]string, 0, len(tests))
	for n := range tests {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		t.Run(n, func(t *testing.T) { tests[n](t, dial(t), e) })
	}
}

func testEveryScheduler(t *testing.T, c *kernel.Client, e suiteEnv) {
	var ops []kernel.Op
	for i, s := range kernel.Schedulers() {
		ops = append(ops, addSvc(kernel.NewServiceKey(kernel.TCP, vip4, uint16(1000+i)), kernel.ServiceConfig{Scheduler: s}))
	}
	res, err := c.Apply(context.Background(), ops)
	if err != nil {
		t.Fatal(err)
	}
	snap := snapshot(t, c)
	for i, s := range kernel.Schedulers() {
		got, ok := snap.Service(kernel.NewServiceKey(kernel.TCP, vip4, uint16(1000+i)))
		if !e.hasScheduler(s) {
			if !errors.Is(res[i].Err, kernel.ErrUnknownScheduler) || ok {
				t.Errorf("scheduler %s (absent from this kernel): %v, service created %v", s, res[i].Err, ok)
			}
			t.Logf("scheduler %s is not in this kernel: checked that it is refused", s)
			continue
		}
		if res[i].Err != nil || !ok || got.Config != (kernel.ServiceConfig{Scheduler: s}) {
			t.Errorf("scheduler %s: %v, read back %+v (found %v)", s, res[i].Err, got.Config, ok)
		}
	}
}

func testForwarding(t *testing.T, c *kernel.Client, _ suiteEnv) {
	dests := map[kernel.DestinationKey]kernel.DestinationConfig{
		kernel.NewDestinationKey(rs4a, 80):                                 {Forward: kernel.ForwardNAT, Weight: 1},
		kernel.NewDestinationKey(rs4b, 80):                                 {Forward: kernel.ForwardDirect, Weight: 2},
		kernel.NewDestinationKey(netip.MustParseAddr("198.51.100.23"), 80): {Forward: kernel.ForwardTunnel, Weight: 3, TunnelType: kernel.TunnelIPIP},
		kernel.NewDestinationKey(netip.MustParseAddr("198.51.100.24"), 80): {Forward: kernel.ForwardTunnel, Weight: 4, TunnelType: kernel.TunnelGUE, TunnelPort: 6080, TunnelFlags: kernel.TunnelCsum},
		kernel.NewDestinationKey(netip.MustParseAddr("198.51.100.25"), 80): {Forward: kernel.ForwardTunnel, Weight: 5, TunnelType: kernel.TunnelGRE, TunnelFlags: kernel.TunnelRemCsum},
		kernel.NewDestinationKey(netip.MustParseAddr("198.51.100.26"), 80): {Forward: kernel.ForwardDirect, Weight: 6, UpperThreshold: 100, LowerThreshold: 50},
	}
	ops := []kernel.Op{addSvc(web4, kernel.ServiceConfig{Scheduler: "wlc"})}
	for k, d := range dests {
		ops = append(ops, addDest(web4, k, d))
	}
	mustApply(t, c, ops...)
	svc, _ := snapshot(t, c).Service(web4)
	if len(svc.Destinations) != len(dests) {
		t.Fatalf("%d destinations, want %d", len(svc.Destinations), len(dests))
	}
	for _, d := range svc.Destinations {
		if want := dests[d.Key]; d.Config != want {
			t.Errorf("%s: read back %+v, want %+v", d.Key, d.Config, want)
		}
	}
}

func testPersistence(t *testing.T, c *kernel.Client, _ suiteEnv) {
	want := map[kernel.ServiceKey]kernel.ServiceConfig{
		web4: {Scheduler: "wrr", Flags: kernel.FlagPersistent, Timeout: 300, Netmask: kernel.PrefixNetmask(24)},
		kernel.NewServiceKey(kernel.TCP, vip4, 443): {Scheduler: "rr", Flags: kernel.FlagPersistent, Timeout: 60},
		web6: {Scheduler: "sh", Flags: kernel.FlagPersistent | kernel.FlagSchedFallback | kernel.FlagSchedPort, Timeout: 600, Netmask: kernel.PrefixNetmask(64)},
		kernel.NewServiceKey(kernel.UDP, vip4, 5060): {Scheduler: "rr", Flags: kernel.FlagPersistent | kernel.FlagOnePacket, Timeout: 30, PEName: "sip"},
	}
	var ops []kernel.Op
	for k, cfg := range want {
		ops = append(ops, addSvc(k, cfg))
	}
	mustApply(t, c, ops...)
	for _, svc := range snapshot(t, c).Services {
		if svc.Config != want[svc.Key] {
			t.Errorf("%s: read back %+v, want %+v (HASHED must be masked)", svc.Key, svc.Config, want[svc.Key])
		}
	}
}

func testFWMark(t *testing.T, c *kernel.Client, _ suiteEnv) {
	m4, m6 := kernel.NewFWMarkKey(kernel.IPv4, 5), kernel.NewFWMarkKey(kernel.IPv6, 5)
	mustApply(t, c,
		addSvc(m4, kernel.ServiceConfig{Scheduler: "rr"}),
		addSvc(m6, kernel.ServiceConfig{Scheduler: "wlc"}),
		addDest(m4, kernel.NewDestinationKey(rs4a, 0), kernel.DestinationConfig{Forward: kernel.ForwardDirect, Weight: 1}),
		addDest(m6, kernel.NewDestinationKey(rs6a, 0), kernel.DestinationConfig{Forward: kernel.ForwardDirect, Weight: 1}),
	)
	snap := snapshot(t, c)
	for _, k := range []kernel.ServiceKey{m4, m6} {
		svc, ok := snap.Service(k)
		if !ok || svc.Key.Protocol != 0 || svc.Key.Addr.IsValid() || len(svc.Destinations) != 1 {
			t.Errorf("%s: read back %+v (found %v)", k, svc, ok)
		}
	}
}

func testUpdates(t *testing.T, c *kernel.Client, _ suiteEnv) {
	mustApply(t, c, addSvc(web4, kernel.ServiceConfig{Scheduler: "rr"}),
		addDest(web4, dest4, kernel.DestinationConfig{Forward: kernel.ForwardDirect, Weight: 1}),
		addDest(web4, kernel.NewDestinationKey(rs4b, 80), kernel.DestinationConfig{Forward: kernel.ForwardDirect, Weight: 1}))
	mustApply(t, c,
		kernel.Op{Kind: kernel.UpdateService, Service: web4, ServiceConfig: kernel.ServiceConfig{Scheduler: "wrr", Flags: kernel.FlagPersistent, Timeout: 10}},
		kernel.Op{Kind: kernel.UpdateDestination, Service: web4, Destination: dest4, DestinationConfig: kernel.DestinationConfig{Forward: kernel.ForwardNAT, Weight: 7}},
		kernel.Op{Kind: kernel.DeleteDestination, Service: web4, Destination: kernel.NewDestinationKey(rs4b, 80)})
	svc, _ := snapshot(t, c).Service(web4)
	if svc.Config.Scheduler != "wrr" || svc.Config.Timeout != 10 || len(svc.Destinations) != 1 ||
		svc.Destinations[0].Config != (kernel.DestinationConfig{Forward: kernel.ForwardNAT, Weight: 7}) {
		t.Fatalf("after updates: %+v", svc)
	}
	mustApply(t, c, kernel.Op{Kind: kernel.DeleteService, Service: web4})
	if n := len(snapshot(t, c).Services); n != 0 {
		t.Fatalf("%d services after delete", n)
	}
}

func testBadInput(t *testing.T, c *kernel.Client, _ suiteEnv) {
	mustApply(t, c, addSvc(web4, kernel.ServiceConfig{Scheduler: "rr"}), addDest(web4, dest4, kernel.DestinationConfig{Weight: 1}))
	missing := kernel.NewServiceKey(kernel.TCP, vip4, 81)
	cases := []struct {
		op   kernel.Op
		want error
		text string
	}{
		{addSvc(kernel.NewServiceKey(kernel.TCP, vip4, 82), kernel.ServiceConfig{Scheduler: "nosuch"}), kernel.ErrUnknownScheduler, "add service tcp/192.0.2.10:82: unknown scheduler or persistence engine"},
		{addSvc(kernel.NewServiceKey(kernel.TCP, vip4, 83), kernel.ServiceConfig{Scheduler: "rr", PEName: "nosuch"}), kernel.ErrUnknownScheduler, ""},
		{addSvc(web4, kernel.ServiceConfig{Scheduler: "rr"}), kernel.ErrExist, "add service tcp/192.0.2.10:80: already exists"},
		{addDest(web4, dest4, kernel.DestinationConfig{Weight: 1}), kernel.ErrExist, ""},
		{addDest(missing, dest4, kernel.DestinationConfig{Weight: 1}), kernel.ErrNoService, "add destination 198.51.100.21:80 to service tcp/192.0.2.10:81: no such service"},
		{addDest(web4, kernel.NewDestinationKey(rs4b, 80), kernel.DestinationConfig{Weight: kernel.MaxWeight + 1}), kernel.ErrRange, ""},
		{addDest(web4, kernel.NewDestinationKey(rs4b, 80), kernel.DestinationConfig{Weight: 1, UpperThreshold: 5, LowerThreshold: 6}), kernel.ErrRange, ""},
		{addDest(web4, kernel.NewDestinationKey(rs4b, 80), kernel.DestinationConfig{Weight: 1, UpperThreshold: kernel.MaxThreshold + 1}), kernel.ErrInvalid, ""},
		{addDest(web4, kernel.NewDestinationKey(rs4b, 80), kernel.DestinationConfig{Forward: kernel.ForwardTunnel, Weight: 1, TunnelType: kernel.TunnelGUE}), kernel.ErrInvalid, ""},
		{addSvc(web6, kernel.ServiceConfig{Scheduler: "rr", Netmask: kernel.PrefixNetmask(0)}), kernel.ErrInvalid, ""},
		{addSvc(web6, kernel.ServiceConfig{Scheduler: "rr", Netmask: kernel.PrefixNetmask(129)}), kernel.ErrInvalid, ""},
		{addSvc(kernel.ServiceKey{Family: 99, Protocol: kernel.TCP, Addr: vip4, Port: 80}, kernel.ServiceConfig{Scheduler: "rr"}), kernel.ErrFamily, ""},
		{kernel.Op{Kind: kernel.UpdateService, Service: missing, ServiceConfig: kernel.ServiceConfig{Scheduler: "rr"}}, kernel.ErrNoService, ""},
		{kernel.Op{Kind: kernel.UpdateDestination, Service: web4, Destination: kernel.NewDestinationKey(rs4b, 80), DestinationConfig: kernel.DestinationConfig{Weight: 1}}, kernel.ErrNoDestination, ""},
		{kernel.Op{Kind: kernel.DeleteDestination, Service: web4, Destination: kernel.NewDestinationKey(rs4b, 80)}, kernel.ErrNoDestination, "delete destination 198.51.100.22:80 from service tcp/192.0.2.10:80: no such destination"},
		{kernel.Op{Kind: kernel.DeleteService, Service: missing}, kernel.ErrNoService, ""},
	}
	for _, tc := range cases {
		err := applyOne(t, c, tc.op)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.op, err, tc.want)
			continue
		}
		if tc.text != "" && err.Error() != tc.text {
			t.Errorf("error text %q, want %q", err, tc.text)
		}
	}
	if _, err := c.Service(context.Background(), missing); !errors.Is(err, kernel.ErrNoService) {
		t.Errorf("get missing service: %v", err)
	}
}

func testFailedOpContinues(t *testing.T, c *kernel.Client, _ suiteEnv) {
	res, err := c.Apply(context.Background(), []kernel.Op{
		addSvc(web4, kernel.ServiceConfig{Scheduler: "rr"}),
		addDest(kernel.NewServiceKey(kernel.TCP, vip4, 81), dest4, kernel.DestinationConfig{Weight: 1}),
		addDest(web4, dest4, kernel.DestinationConfig{Weight: 1}),
	})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err != nil || !errors.Is(res[1].Err, kernel.ErrNoService) || res[2].Err != nil {
		t.Fatalf("results %v / %v / %v", res[0].Err, res[1].Err, res[2].Err)
	}
	for _, r := range res {
		if r.Uncertain {
			t.Errorf("%s: uncertain", r.Op)
		}
	}
}

func testEmptyDump(t *testing.T, c *kernel.Client, _ suiteEnv) {
	mustApply(t, c, addSvc(web4, kernel.ServiceConfig{Scheduler: "rr"}))
	for _, k := range []kernel.ServiceKey{web4, kernel.NewServiceKey(kernel.TCP, vip4, 81)} {
		ds, err := c.Destinations(context.Background(), k)
		if err != nil || len(ds) != 0 {
			t.Errorf("%s: %v, %v; want empty and no error", k, ds, err)
		}
	}
}

func testNewestFirst(t *testing.T, c *kernel.Client, _ suiteEnv) {
	mustApply(t, c, addSvc(web4, kernel.ServiceConfig{Scheduler: "rr"}),
		addDest(web4, dest4, kernel.DestinationConfig{Weight: 1}),
		addDest(web4, kernel.NewDestinationKey(rs4b, 80), kernel.DestinationConfig{Weight: 1}))
	ds, err := c.Destinations(context.Background(), web4)
	if err != nil || len(ds) != 2 || ds[0].Key.Addr != rs4b {
		t.Fatalf("kernel order %v, %v: want newest (%s) first", ds, err, rs4b)
	}
}

// testListOrder: a destination goes to the head of the list when added
// (also when re-added after a delete), keeps its place when updated, and
// leaves the others in place when deleted; the dump walks from the head and
// ListPos numbers the list from the oldest. The dh, sh and mh schedulers
// build their tables in this order.
func testListOrder(t *testing.T, c *kernel.Client, e suiteEnv) {
	d := func(n byte) kernel.DestinationKey {
		return kernel.NewDestinationKey(netip.AddrFrom4([4]byte{198, 51, 100, n}), 80)
	}
	w := kernel.DestinationConfig{Forward: kernel.ForwardDirect, Weight: 1}
	op := func(k kernel.OpKind, n byte, weight uint32) kernel.Op {
		c := w
		c.Weight = weight
		return kernel.Op{Kind: k, Service: web4, Destination: d(n), DestinationConfig: c}
	}
	sched := "mh"
	if !e.hasScheduler(sched) {
		sched = "rr" // the list is the same under every scheduler
	}
	mustApply(t, c, addSvc(web4, kernel.ServiceConfig{Scheduler: sched}))
	for _, step := range []struct {
		ops  []kernel.Op
		want []byte // dump order
	}{
		{[]kernel.Op{op(kernel.AddDestination, 1, 1), op(kernel.AddDestination, 2, 1), op(kernel.AddDestination, 3, 1)}, []byte{3, 2, 1}},
		{[]kernel.Op{op(kernel.UpdateDestination, 1, 5), op(kernel.UpdateDestination, 3, 0)}, []byte{3, 2, 1}},
		{[]kernel.Op{op(kernel.DeleteDestination, 2, 0)}, []byte{3, 1}},
		{[]kernel.Op{op(kernel.AddDestination, 2, 1)}, []byte{2, 3, 1}},
		{[]kernel.Op{op(kernel.DeleteDestination, 1, 0), op(kernel.AddDestination, 4, 0), op(kernel.AddDestination, 1, 2)}, []byte{1, 4, 2, 3}},
	} {
		mustApply(t, c, step.ops...)
		ds, err := c.Destinations(context.Background(), web4)
		if err != nil {
			t.Fatal(err)
		}
		var got []byte
		for i, x := range ds {
			got = append(got, x.Key.Addr.As4()[3])
			if x.ListPos != len(ds)-i {
				t.Errorf("after %v: %s at dump index %d has ListPos %d, want %d", step.ops, x.Key, i, x.ListPos, len(ds)-i)
			}
		}
		if !slices.Equal(got, step.want) {
			t.Fatalf("after %v: dump order 198.51.100.%v, want %v", step.ops, got, step.want)
		}
		svc, _ := snapshot(t, c).Service(web4)
		for _, x := range svc.Destinations {
			if want := len(step.want) - slices.Index(step.want, x.Key.Addr.As4()[3]); x.ListPos != want {
				t.Errorf("Snapshot: %s has ListPos %d, want %d", x.Key, x.ListPos, want)
			}
		}
	}
}

func testMisc(t *testing.T, c *kernel.Client, _ suiteEnv) {
	ctx := context.Background()
	info, err := c.Info(ctx)
	if err != nil || info.VersionString() != "1.2.1" || info.ConnTabSize == 0 {
		t.Errorf("info %+v %v", info, err)
	}
	if err := c.SetTimeouts(ctx, kernel.Timeouts{TCP: 901, UDP: 301}); err != nil {
		t.Fatal(err)
	}
	to, err := c.Timeouts(ctx)
	if err != nil || to.TCP != 901 || to.UDP != 301 || to.TCPFin == 0 {
		t.Errorf("timeouts %+v %v", to, err)
	}
	if err := c.SetTimeouts(ctx, kernel.Timeouts{TCP: 1 << 31}); !errors.Is(err, kernel.ErrInvalid) {
		t.Errorf("timeout 2^31: %v", err)
	}
	c.SetTimeouts(ctx, kernel.Timeouts{TCP: 900, TCPFin: 120, UDP: 300})
	mustApply(t, c, addSvc(web4, kernel.ServiceConfig{Scheduler: "rr"}))
	if err := c.Zero(ctx, web4); err != nil {
		t.Error(err)
	}
	if err := c.Zero(ctx, web6); !errors.Is(err, kernel.ErrNoService) {
		t.Errorf("zero missing service: %v", err)
	}
	if err := c.ZeroAll(ctx); err != nil {
		t.Error(err)
	}
	if err := c.Flush(ctx); err != nil || len(snapshot(t, c).Services) != 0 {
		t.Errorf("flush: %v", err)
	}
}

func testRender(t *testing.T, c *kernel.Client, _ suiteEnv) {
	mustApply(t, c, expectedTableOps()...)
	if got := kernel.RenderIPVSADM(snapshot(t, c)); got != expectedTableText {
		t.Errorf("rendering:\n%s\nwant:\n%s", got, expectedTableText)
	}
}

func testWeights(t *testing.T, c *kernel.Client, _ suiteEnv) {
	mustApply(t, c, addSvc(web4, kernel.ServiceConfig{Scheduler: "wrr"}),
		addDest(web4, dest4, kernel.DestinationConfig{Weight: kernel.MaxWeight, UpperThreshold: kernel.MaxThreshold, LowerThreshold: kernel.MaxThreshold}))
	svc, _ := snapshot(t, c).Service(web4)
	if d := svc.Destinations[0].Config; d.Weight != kernel.MaxWeight || d.UpperThreshold != kernel.MaxThreshold || d.LowerThreshold != kernel.MaxThreshold {
		t.Fatalf("read back %+v", d)
	}
}

func testPEKept(t *testing.T, c *kernel.Client, _ suiteEnv) {
	k := kernel.NewServiceKey(kernel.UDP, vip4, 5060)
	cfg := kernel.ServiceConfig{Scheduler: "rr", Flags: kernel.FlagPersistent, Timeout: 30, PEName: "sip"}
	mustApply(t, c, addSvc(k, cfg))
	cfg.Timeout = 60
	mustApply(t, c, kernel.Op{Kind: kernel.UpdateService, Service: k, ServiceConfig: cfg})
	svc, _ := snapshot(t, c).Service(k)
	if svc.Config != cfg {
		t.Fatalf("after update %+v, want %+v (PE must survive SET)", svc.Config, cfg)
	}
	cfg.PEName = ""
	mustApply(t, c, kernel.Op{Kind: kernel.UpdateService, Service: k, ServiceConfig: cfg})
	if svc, _ := snapshot(t, c).Service(k); svc.Config.PEName != "" {
		t.Fatalf("PE not cleared: %+v", svc.Config)
	}
}

func testMixedFamily(t *testing.T, c *kernel.Client, _ suiteEnv) {
	mustApply(t, c, addSvc(web4, kernel.ServiceConfig{Scheduler: "rr"}))
	if err := applyOne(t, c, addDest(web4, kernel.NewDestinationKey(rs6a, 80), kernel.DestinationConfig{Forward: kernel.ForwardDirect, Weight: 1})); !errors.Is(err, kernel.ErrInvalid) {
		t.Errorf("IPv6 DR destination in IPv4 service: %v", err)
	}
	mustApply(t, c, addDest(web4, kernel.NewDestinationKey(rs6a, 80), kernel.DestinationConfig{Forward: kernel.ForwardTunnel, Weight: 1}))
	svc, _ := snapshot(t, c).Service(web4)
	if len(svc.Destinations) != 1 || svc.Destinations[0].Key.Family != kernel.IPv6 {
		t.Fatalf("mixed-family destination read back as %+v", svc.Destinations)
	}
}

// expectedTableOps builds the table whose `ipvsadm -Sn` rendering is
// expectedTableText.
func expectedTableOps() []kernel.Op {
	return []kernel.Op{
		addSvc(web4, kernel.ServiceConfig{Scheduler: "wrr", Flags: kernel.FlagPersistent, Timeout: 300}),
		addDest(web4, kernel.NewDestinationKey(rs4a, 80), kernel.DestinationConfig{Forward: kernel.ForwardDirect, Weight: 10}),
		addDest(web4, kernel.NewDestinationKey(rs4b, 8080), kernel.DestinationConfig{Forward: kernel.ForwardNAT, Weight: 0}),
		addSvc(kernel.NewServiceKey(kernel.UDP, vip4, 53), kernel.ServiceConfig{Scheduler: "rr", Flags: kernel.FlagPersistent, Timeout: 60, Netmask: kernel.PrefixNetmask(24)}),
		addDest(kernel.NewServiceKey(kernel.UDP, vip4, 53), kernel.NewDestinationKey(rs4a, 53), kernel.DestinationConfig{Forward: kernel.ForwardTunnel, Weight: 1}),
		addSvc(web6, kernel.ServiceConfig{Scheduler: "sh", Flags: kernel.FlagSchedFallback | kernel.FlagSchedPort}),
		addDest(web6, kernel.NewDestinationKey(rs6a, 80), kernel.DestinationConfig{Forward: kernel.ForwardDirect, Weight: 3}),
		addSvc(kernel.NewFWMarkKey(kernel.IPv4, 5), kernel.ServiceConfig{Scheduler: "lc"}),
		addDest(kernel.NewFWMarkKey(kernel.IPv4, 5), kernel.NewDestinationKey(rs4a, 0), kernel.DestinationConfig{Forward: kernel.ForwardDirect, Weight: 1}),
		addSvc(kernel.NewFWMarkKey(kernel.IPv6, 7), kernel.ServiceConfig{Scheduler: "mh", Flags: kernel.FlagPersistent, Timeout: 100, Netmask: kernel.PrefixNetmask(64)}),
	}
}

const expectedTableText = `-A -t 192.0.2.10:80 -s wrr -p 300
-a -t 192.0.2.10:80 -r 198.51.100.21:80 -g -w 10
-a -t 192.0.2.10:80 -r 198.51.100.22:8080 -m -w 0
-A -u 192.0.2.10:53 -s rr -p 60 -M 255.255.255.0
-a -u 192.0.2.10:53 -r 198.51.100.21:53 -i -w 1 --tun-type ipip
-A -t [2001:db8::10]:80 -s sh -b sh-fallback,sh-port
-a -t [2001:db8::10]:80 -r [2001:db8::21]:80 -g -w 3
-A -f 5 -s lc
-a -f 5 -r 198.51.100.21:0 -g -w 1
-A -f 7 -6 -s mh -p 100 -M 64
`

func testDaemons(t *testing.T, c *kernel.Client, e suiteEnv) {
	ctx := context.Background()
	master := kernel.Daemon{State: kernel.DaemonMaster, Interface: e.syncIfname, SyncID: 7}
	if err := c.NewDaemon(ctx, master); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.DelDaemon(ctx, kernel.DaemonMaster) })
	if err := c.NewDaemon(ctx, master); !errors.Is(err, kernel.ErrExist) {
		t.Errorf("second master: %v", err)
	}
	backup := kernel.Daemon{State: kernel.DaemonBackup, Interface: e.syncIfname, SyncID: 8,
		MaxLen: 1400, Group: netip.MustParseAddr("239.1.2.3"), Port: 9000, TTL: 2}
	if err := c.NewDaemon(ctx, backup); err != nil {
		t.Fatalf("backup beside the master: %v", err)
	}
	t.Cleanup(func() { c.DelDaemon(ctx, kernel.DaemonBackup) })
	ds, err := c.Daemons(ctx)
	want := []kernel.Daemon{
		{State: kernel.DaemonMaster, Interface: e.syncIfname, SyncID: 7, MaxLen: 1472, Group: netip.MustParseAddr("224.0.0.81"), Port: 8848, TTL: 1},
		backup,
	}
	if err != nil || !slices.Equal(ds, want) {
		t.Errorf("daemons %+v, %v; want %+v", ds, err, want)
	}
	for _, s := range []kernel.DaemonState{kernel.DaemonMaster, kernel.DaemonBackup} {
		if err := c.DelDaemon(ctx, s); err != nil {
			t.Error(err)
		}
		if err := c.DelDaemon(ctx, s); !errors.Is(err, kernel.ErrNoDaemon) {
			t.Errorf("stop stopped %s daemon: %v", s, err)
		}
	}
	if ds, err := c.Daemons(ctx); err != nil || len(ds) != 0 {
		t.Errorf("daemons after stopping both: %+v, %v", ds, err)
	}
	if err := c.NewDaemon(ctx, kernel.Daemon{State: kernel.DaemonBackup}); !errors.Is(err, kernel.ErrInvalid) {
		t.Errorf("daemon without interface: %v", err)
	}
	if err := c.NewDaemon(ctx, kernel.Daemon{State: kernel.DaemonMaster, Interface: e.syncIfname, Group: netip.MustParseAddr("192.0.2.1")}); !errors.Is(err, kernel.ErrInvalid) {
		t.Errorf("daemon with a unicast group: %v", err)
	}
}

// testDaemonsMixedFamily: the sync protocol cannot carry mixed-family
// destinations, so the kernel refuses a daemon while one exists and such a
// destination while a daemon runs.
func testDaemonsMixedFamily(t *testing.T, c *kernel.Client, e suiteEnv) {
	ctx := context.Background()
	mustApply(t, c, addSvc(web4, kernel.ServiceConfig{Scheduler: "rr"}))
	master := kernel.Daemon{State: kernel.DaemonMaster, Interface: e.syncIfname, SyncID: 7}
	if err := c.NewDaemon(ctx, master); err != nil {
		t.Fatal(err)
	}
	mixed := addDest(web4, kernel.NewDestinationKey(rs6a, 80), kernel.DestinationConfig{Forward: kernel.ForwardTunnel, Weight: 1})
	if err := applyOne(t, c, mixed); !errors.Is(err, kernel.ErrInvalid) {
		t.Errorf("mixed-family destination while a sync daemon runs: %v", err)
	}
	if err := c.DelDaemon(ctx, kernel.DaemonMaster); err != nil {
		t.Fatal(err)
	}
	mustApply(t, c, mixed)
	if err := c.NewDaemon(ctx, master); !errors.Is(err, kernel.ErrInvalid) {
		c.DelDaemon(ctx, kernel.DaemonMaster)
		t.Errorf("sync daemon beside a mixed-family destination: %v", err)
	}
	mustApply(t, c, kernel.Op{Kind: kernel.DeleteDestination, Service: web4, Destination: kernel.NewDestinationKey(rs6a, 80)})
	if err := c.NewDaemon(ctx, master); err != nil {
		t.Fatalf("sync daemon after the mixed-family destination went: %v", err)
	}
	if err := c.DelDaemon(ctx, kernel.DaemonMaster); err != nil {
		t.Error(err)
	}
}

// testReadInParts reads the expected table with Services and DestinationsOf
// (the spread resync's reads) and compares it with Snapshot's.
func testReadInParts(t *testing.T, c *kernel.Client, _ suiteEnv) {
	mustApply(t, c, expectedTableOps()...)
	ctx := context.Background()
	svcs, err := c.Services(ctx)
	if err != nil {
		t.Fatal(err)
	}
	keys := []kernel.ServiceKey{kernel.NewServiceKey(kernel.TCP, vip4, 9)} // missing: an empty list
	for _, s := range svcs {
		keys = append(keys, s.Key)
	}
	ds, err := c.DestinationsOf(ctx, keys)
	if err != nil || len(ds) != len(keys) || len(ds[0]) != 0 {
		t.Fatalf("DestinationsOf: %d lists (first %v), %v; want %d, the first empty", len(ds), ds[:min(1, len(ds))], err, len(keys))
	}
	visited := make([][]kernel.Destination, len(keys))
	err = c.VisitDestinations(ctx, keys, func(i int, ds []kernel.Destination) {
		visited[i] = slices.Clone(ds) // the list's memory is reused by the next dump
	})
	if err != nil {
		t.Fatalf("VisitDestinations: %v", err)
	}
	for i := range keys {
		if !slices.EqualFunc(visited[i], ds[i], func(a, b kernel.Destination) bool { return a == b }) {
			t.Fatalf("VisitDestinations of %s: %+v; DestinationsOf: %+v", keys[i], visited[i], ds[i])
		}
	}
	for i := range svcs {
		svcs[i].Destinations = ds[i+1]
	}
	parts, full := kernel.Snapshot{Services: svcs}, snapshot(t, c)
	parts.Sort()
	if a, b := kernel.RenderIPVSADM(parts), kernel.RenderIPVSADM(full); a != b || !strings.Contains(a, "-a ") {
		t.Fatalf("read in parts:\n%s\nSnapshot:\n%s", a, b)
	}
}
