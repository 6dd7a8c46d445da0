package reconcile

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/internal/testconfig"
	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/kerneltest"
)

// t0 is the fixed "now" of the tests.
var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

const nodeYAML = "node: {name: lb1, interface: eth1, scope: {prefixes: [192.0.2.0/24]}}\n"

// config builds a Config from YAML files given as name, content pairs,
// written to a fresh directory and loaded with desired.Load.
func config(t testing.TB, files ...string) desired.Config {
	t.Helper()
	m := map[string]string{}
	for i := 0; i+1 < len(files); i += 2 {
		m[files[i]] = files[i+1]
	}
	cfg, err := desired.Load(testconfig.Dir(t, m))
	if err != nil {
		t.Fatalf("build config: %v", err)
	}
	return cfg
}

// services builds a Config with the standard node and a services file.
func services(t testing.TB, yaml string) desired.Config {
	return config(t, "node.yaml", nodeYAML, "svc.yaml", "services:\n"+yaml)
}

// fakeState applies ops to a fresh fake kernel and returns its client.
func fakeWith(t testing.TB, ops ...kernel.Op) (*kerneltest.IPVS, kernel.IPVS) {
	t.Helper()
	f := kerneltest.NewIPVS()
	c, err := f.Dial(kernel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	mustApply(t, c, ops)
	return f, c
}

func mustApply(t testing.TB, c kernel.IPVS, ops []kernel.Op) {
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

func snapshot(t testing.TB, c kernel.IPVS) kernel.Snapshot {
	t.Helper()
	s, err := c.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// planText renders a plan without colour.
func planText(t testing.TB, p Plan) string {
	t.Helper()
	var b strings.Builder
	if err := RenderText(&b, p, false); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// converge runs effective + diff against the fake and applies the plan,
// returning the plan.
func converge(t testing.TB, c kernel.IPVS, cfg desired.Config, h Health) Plan {
	t.Helper()
	tg := effective(cfg, h, true, nil)
	p := diff(snapshot(t, c), tg, scopeOf(cfg))
	mustApply(t, c, p.Ops())
	return p
}
