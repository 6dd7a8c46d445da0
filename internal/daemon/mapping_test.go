package daemon

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/checks"
	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/reconcile"
	"github.com/seesaw-lb/seesaw/vrrp"
)

var (
	addrA = netip.MustParseAddr("198.51.100.1")
	addrB = netip.MustParseAddr("198.51.100.2")
)

func tcpCheck(port uint16, initialUp bool) desired.Check {
	return desired.Check{Type: desired.CheckTCP, Port: port, Interval: time.Second, Timeout: time.Second,
		Rise: 2, Fall: 3, InitialUp: initialUp, Mode: desired.ModePlain}
}

func svc(name string, vip string, checks []desired.Check, backends ...desired.Backend) desired.Service {
	return desired.Service{Name: name, VIP: netip.MustParseAddr(vip), Ports: []desired.Port{{Proto: desired.TCP, Port: 80}},
		Checks: checks, Backends: backends}
}

func withFallbacks(s desired.Service, f ...desired.Fallback) desired.Service {
	s.Fallback = f
	return s
}

func TestPlanChecks(t *testing.T) {
	a, b := desired.Backend{Address: addrA, Enabled: true}, desired.Backend{Address: addrB, Port: 8080, Enabled: true}
	tests := []struct {
		name      string
		cfg       desired.Config
		targets   []string // distinct checks, by target
		needs     map[string]int
		skipped   int
		marks     bool // allocate check-service marks
		wantError bool
	}{
		{name: "port from the service, then the backend",
			cfg:     desired.Config{Services: []desired.Service{svc("web", "192.0.2.10", []desired.Check{tcpCheck(0, true)}, a, b)}},
			targets: []string{"198.51.100.1:80", "198.51.100.2:8080"}, needs: map[string]int{"web/198.51.100.1:0": 1, "web/198.51.100.2:8080": 1}},
		{name: "the check's port wins",
			cfg:     desired.Config{Services: []desired.Service{svc("web", "192.0.2.10", []desired.Check{tcpCheck(9000, true)}, a)}},
			targets: []string{"198.51.100.1:9000"}, needs: map[string]int{"web/198.51.100.1:0": 1}},
		{name: "identical checks of two services run once",
			cfg: desired.Config{Services: []desired.Service{
				svc("api", "192.0.2.11", []desired.Check{tcpCheck(0, true)}, a),
				svc("web", "192.0.2.10", []desired.Check{tcpCheck(0, true)}, a)}},
			targets: []string{"198.51.100.1:80"}, needs: map[string]int{"api/198.51.100.1:0": 1, "web/198.51.100.1:0": 1}},
		{name: "two checks of one backend",
			cfg:     desired.Config{Services: []desired.Service{svc("web", "192.0.2.10", []desired.Check{tcpCheck(0, true), tcpCheck(81, false)}, a)}},
			targets: []string{"198.51.100.1:80", "198.51.100.1:81"}, needs: map[string]int{"web/198.51.100.1:0": 2}},
		{name: "a dsr check waits for its check-service mark",
			cfg: desired.Config{Services: []desired.Service{svc("web", "192.0.2.10",
				[]desired.Check{{Type: desired.CheckTCP, Mode: desired.ModeDSR}}, a)}},
			needs: map[string]int{}, skipped: 1},
		{name: "a dsr check dials the VIP with the backend's mark",
			cfg:     dsrConfig(a),
			marks:   true,
			targets: []string{"192.0.2.10:80 mark 100 from 203.0.113.1"}, needs: map[string]int{"web/198.51.100.1:0": 1}},
		{name: "a fallback's own checks run on it alone; one without checks is not checked",
			cfg: desired.Config{Services: []desired.Service{withFallbacks(svc("web", "192.0.2.10", []desired.Check{tcpCheck(0, true)}, a),
				desired.Fallback{Backend: desired.Backend{Address: netip.MustParseAddr("203.0.113.99"), Enabled: true}, Checks: []desired.Check{tcpCheck(8080, true)}},
				desired.Fallback{Backend: desired.Backend{Address: netip.MustParseAddr("203.0.113.98"), Enabled: true}})}},
			targets: []string{"198.51.100.1:80", "203.0.113.99:8080"}, needs: map[string]int{"web/198.51.100.1:0": 1, "web/203.0.113.99:0": 1}},
		{name: "unreadable CA bundle",
			cfg: desired.Config{Services: []desired.Service{svc("web", "192.0.2.10",
				[]desired.Check{{Type: desired.CheckTLS, TLS: desired.TLSOptions{CAFile: "/nonexistent/ca.pem"}}}, a)}},
			wantError: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var marks reconcile.CheckMarks
			if tc.marks {
				marks = reconcile.Compute(kernel.Snapshot{}, reconcile.Inputs{Config: tc.cfg}).Target.CheckMarks
			}
			io := checkIO{readFile: func(string) ([]byte, error) { return nil, errors.New("no such file") },
				sourceFor: func(netip.Addr) (netip.Addr, error) { return netip.MustParseAddr("203.0.113.1"), nil }}
			p, err := planChecks(tc.cfg, marks, io)
			if tc.wantError {
				if err == nil {
					t.Fatal("no error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range p.Checks {
				got = append(got, c.Target.String())
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.targets) {
				t.Errorf("targets %v, want %v", got, tc.targets)
			}
			needs := map[string]int{}
			for bk, keys := range p.Needs {
				needs[bk.Service+"/"+bk.Backend.String()] = len(keys)
			}
			if len(needs) != len(tc.needs) {
				t.Errorf("needs %v, want %v", needs, tc.needs)
			}
			for k, n := range tc.needs {
				if needs[k] != n {
					t.Errorf("needs %v, want %v", needs, tc.needs)
				}
			}
			if len(p.Skipped) != tc.skipped {
				t.Errorf("skipped %v, want %d", p.Skipped, tc.skipped)
			}
		})
	}
}

func TestHealthOf(t *testing.T) {
	a := desired.Backend{Address: addrA, Enabled: true}
	cfg := desired.Config{Services: []desired.Service{svc("web", "192.0.2.10", []desired.Check{tcpCheck(0, true), tcpCheck(81, false)}, a)}}
	p, err := planChecks(cfg, nil, checkIO{})
	if err != nil {
		t.Fatal(err)
	}
	up, down := p.Checks[0].Key(), p.Checks[1].Key() // initial up, initial down
	bk := reconcile.BackendKey{Service: "web", Backend: netip.AddrPortFrom(addrA, 0)}
	tests := []struct {
		name   string
		states map[checks.Key]checks.State
		want   bool
	}{
		{"initial states: one starts down", nil, false},
		{"both up", map[checks.Key]checks.State{down: checks.StateUp}, true},
		{"one went down", map[checks.Key]checks.State{up: checks.StateDown, down: checks.StateUp}, false},
	}
	for _, tc := range tests {
		if got := healthOf(p, tc.states)[bk]; got != tc.want {
			t.Errorf("%s: healthy %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestVRRPConfig(t *testing.T) {
	cfg := desired.Config{
		Node: desired.Node{Interfaces: []string{"eth1"}, VRRP: &desired.VRRP{VRID: 7, Priority: 100,
			AdvertInterval: time.Second, Preempt: true,
			Track: desired.Tracking{Interfaces: []desired.TrackInterface{{Name: "eth2", Decrement: 20}},
				Services: []desired.TrackService{{Name: "web", Decrement: 30}, {Name: "api", Decrement: 5}}}}},
		Services: []desired.Service{svc("web", "192.0.2.11", nil), svc("api", "192.0.2.10", nil), svc("v6", "2001:db8::1", nil),
			svc("dup", "192.0.2.10", nil)},
	}
	vc, ok := vrrpConfig(cfg)
	if !ok {
		t.Fatal("no virtual router")
	}
	want := vrrp.Config{Interface: "eth1", VRID: 7, Priority: 100, AdvertInterval: time.Second, Preempt: true,
		VIPs:            []netip.Addr{netip.MustParseAddr("192.0.2.10"), netip.MustParseAddr("192.0.2.11")},
		TrackInterfaces: []vrrp.TrackInterface{{Name: "eth2", Penalty: 20}}}
	if !vc.Equal(want) {
		t.Fatalf("got %+v\nwant %+v", vc, want)
	}
	if err := vc.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, ok := vrrpConfig(desired.Config{}); ok {
		t.Fatal("a virtual router without a vrrp section")
	}
	for _, tc := range []struct {
		services []reconcile.ServiceStatus
		want     int
	}{
		{nil, 0},
		{[]reconcile.ServiceStatus{{Name: "web", Up: true}, {Name: "api", Up: true}}, 0},
		{[]reconcile.ServiceStatus{{Name: "web", Up: false}, {Name: "api", Up: true}}, 30},
		{[]reconcile.ServiceStatus{{Name: "web", Up: false}, {Name: "api", Up: false}}, 35},
	} {
		if got := servicePenalty(cfg, tc.services); got != tc.want {
			t.Errorf("penalty with %+v: %d, want %d", tc.services, got, tc.want)
		}
	}
	if !masterOf(vrrp.Master) || masterOf(vrrp.Backup) || masterOf(vrrp.Initialize) {
		t.Fatal("only Master holds the VIPs")
	}
}

func TestApplyOverrides(t *testing.T) {
	a, b := desired.Backend{Address: addrA, Enabled: true}, desired.Backend{Address: addrB, Port: 8080, Enabled: true}
	cfg := desired.Config{Services: []desired.Service{svc("web", "192.0.2.10", nil, a, b)}}
	for _, tc := range []struct {
		drained []string
		want    []bool // Enabled of a, b
	}{
		{nil, []bool{true, true}},
		{[]string{"198.51.100.1"}, []bool{false, true}},
		{[]string{"198.51.100.2"}, []bool{true, false}},
		{[]string{"198.51.100.2:8080"}, []bool{true, false}},
		{[]string{"198.51.100.2:9090", "198.51.100.1:80"}, []bool{true, true}},
	} {
		got := applyOverrides(cfg, overrides{Drained: tc.drained})
		for i, b := range got.Services[0].Backends {
			if b.Enabled != tc.want[i] {
				t.Errorf("drained %v: backend %d enabled %v, want %v", tc.drained, i, b.Enabled, tc.want[i])
			}
		}
	}
	if !cfg.Services[0].Backends[0].Enabled {
		t.Fatal("applyOverrides modified the shared config")
	}
	for _, bad := range []string{"", "web", "198.51.100.1:x", "198.51.100.1/24"} {
		if _, err := ParseBackendRef(bad); err == nil {
			t.Errorf("backend %q accepted", bad)
		}
	}
}

func TestOverridesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), overridesFile)
	if o, err := readOverrides(path); err != nil || len(o.Drained) != 0 {
		t.Fatalf("no file: %+v, %v", o, err)
	}
	o := overrides{}
	o.drain("198.51.100.2")
	o.drain("198.51.100.1:80")
	if o.drain("198.51.100.1:80") {
		t.Fatal("a second drain changed something")
	}
	if err := writeOverrides(path, o); err != nil {
		t.Fatal(err)
	}
	back, err := readOverrides(path)
	if err != nil || !slices.Equal(back.Drained, []string{"198.51.100.1:80", "198.51.100.2"}) {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
	for _, bad := range []string{``, `{"drained": [`, `{"drained": ["web"]}`, `{"drained": 3}`} {
		if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := readOverrides(path); err == nil || !strings.Contains(err.Error(), overridesFile) {
			t.Errorf("%s: error %v does not name the file", bad, err)
		}
	}
}

func TestResultCounterIsMonotonic(t *testing.T) {
	r := newResultCounter()
	k1 := checks.Key{Target: checks.Target{Address: addrA, Port: 80}}
	k2 := checks.Key{Target: checks.Target{Address: addrB, Port: 80}}
	steps := []struct {
		statuses         []checks.Status
		success, failure uint64
	}{
		{[]checks.Status{{Key: k1, Type: checks.TypeTCP, Checks: 3, Failures: 1}}, 2, 1},
		{[]checks.Status{{Key: k1, Type: checks.TypeTCP, Checks: 5, Failures: 1}, {Key: k2, Type: checks.TypeTCP, Checks: 1}}, 5, 1},
		{nil, 5, 1}, // both removed: the totals stay
		{[]checks.Status{{Key: k1, Type: checks.TypeTCP, Checks: 2, Failures: 2}}, 5, 3}, // k1 added again
	}
	for i, s := range steps {
		got := r.add(s.statuses)
		if got[resultKey{checks.TypeTCP, "success"}] != s.success || got[resultKey{checks.TypeTCP, "failure"}] != s.failure {
			t.Fatalf("step %d: %v, want success %d failure %d", i, got, s.success, s.failure)
		}
	}
}

// dsrConfig is service web with a dr backend b and a dsr tcp check, and
// check marks 100-199.
func dsrConfig(b desired.Backend) desired.Config {
	s := svc("web", "192.0.2.10", []desired.Check{{Type: desired.CheckTCP, Mode: desired.ModeDSR, Interval: time.Second, Timeout: time.Second}}, b)
	s.Forward = desired.ForwardDR
	return desired.Config{Node: desired.Node{CheckFwmarks: desired.FwmarkRange{First: 100, Last: 199}}, Services: []desired.Service{s}}
}

// TestHalfOpenFromYAMLToEngine: `half_open: true` in a check's YAML reaches
// the engine's spec, and a tcp check without it stays a connect check.
func TestHalfOpenFromYAMLToEngine(t *testing.T) {
	dir := writeConfig(t, map[string]string{
		"node.yaml": "node: {name: lb1, interface: eth1, scope: {prefixes: [192.0.2.0/24]}}\n",
		"web.yaml": "services:\n  - name: web\n    vip: 192.0.2.10\n    ports: [{proto: tcp, port: 80}]\n" +
			"    checks: [{type: tcp, half_open: true}, {type: tcp, port: 81}]\n    backends: [{address: 198.51.100.1}]\n"})
	cfg, err := desired.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	p, err := planChecks(cfg, nil, checkIO{readFile: os.ReadFile})
	if err != nil {
		t.Fatal(err)
	}
	got := map[uint16]bool{}
	for _, c := range p.Checks {
		got[c.Target.Port] = c.Spec.HalfOpen
	}
	if len(got) != 2 || !got[80] || got[81] {
		t.Fatalf("half-open by port: %v, want 80 half-open and 81 a connect check", got)
	}
}

// TestSpecOfCopiesTheCheck: each field of a desired check reaches the
// engine's spec under the same name; tls `verify` arrives inverted as
// SkipVerify (so that the engine's zero value verifies).
func TestSpecOfCopiesTheCheck(t *testing.T) {
	for _, c := range []struct {
		in   desired.Check
		want checks.Spec
	}{{
		in: desired.Check{Type: desired.CheckHTTPS, Interval: 2 * time.Second, Timeout: time.Second,
			FastInterval: 500 * time.Millisecond, DownInterval: 5 * time.Second, Rise: 2, Fall: 3, InitialUp: true,
			Expect: desired.Expect{Contains: "ok", Regexp: "^o", Status: []desired.StatusRange{{First: 200, Last: 204}}},
			TLS:    desired.TLSOptions{ServerName: "www.example.org", Verify: true},
			HTTP: desired.HTTPOptions{Method: "HEAD", Path: "/healthz", Host: "www.example.org",
				Headers: []desired.Header{{Name: "X-A", Value: "1"}}, Proxy: "http://192.0.2.1:3128", ReuseConnections: true}},
		want: checks.Spec{Type: checks.TypeHTTPS, Interval: 2 * time.Second, Timeout: time.Second,
			FastInterval: 500 * time.Millisecond, DownInterval: 5 * time.Second, Rise: 2, Fall: 3, InitialState: checks.StateUp,
			Expect: checks.Expect{Contains: "ok", Regexp: "^o"},
			TLS:    checks.TLSOptions{ServerName: "www.example.org"},
			HTTP: checks.HTTPOptions{Method: "HEAD", Path: "/healthz", Host: "www.example.org",
				Headers: []checks.Header{{Name: "X-A", Value: "1"}}, Statuses: []checks.StatusRange{{First: 200, Last: 204}},
				Proxy: "http://192.0.2.1:3128", ReuseConnections: true}},
	}, {
		in: desired.Check{Type: desired.CheckDNS, Expect: desired.Expect{Rcode: "NXDOMAIN", Answers: []string{"192.0.2.1"}},
			DNS: desired.DNSOptions{Name: "www.example.org", Type: "AAAA", Transport: desired.TCP}},
		want: checks.Spec{Type: checks.TypeDNS, TLS: checks.TLSOptions{SkipVerify: true},
			DNS: checks.DNSOptions{Name: "www.example.org", Type: "AAAA", Rcode: "NXDOMAIN", Answers: []string{"192.0.2.1"}, Transport: "tcp"}},
	}, {
		// Secrets from value_file and proxy_auth_file reach the engine in clear.
		in: desired.Check{Type: desired.CheckHTTP, HTTP: desired.HTTPOptions{
			Headers: []desired.Header{{Name: "Authorization", Secret: desired.NewSecret("Bearer t0k")}},
			Proxy:   "http://192.0.2.1:3128", ProxyAuth: desired.NewSecret("probe:pa:ss")}},
		want: checks.Spec{Type: checks.TypeHTTP, TLS: checks.TLSOptions{SkipVerify: true}, HTTP: checks.HTTPOptions{
			Headers: []checks.Header{{Name: "Authorization", Value: "Bearer t0k"}}, Proxy: "http://probe:pa%3Ass@192.0.2.1:3128"}},
	}} {
		got, err := specOf(c.in, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID() != c.want.ID() {
			t.Errorf("%s check: spec\n%+v\nwant\n%+v", c.in.Type, *got, c.want)
		}
	}
}
