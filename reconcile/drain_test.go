package reconcile

import (
	"strings"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/kernel"
)

// withConns returns live with the connection counts of destination dest set.
func withConns(live kernel.Snapshot, dest string, active uint32) kernel.Snapshot {
	for i := range live.Services {
		for j := range live.Services[i].Destinations {
			if live.Services[i].Destinations[j].Key.String() == dest {
				live.Services[i].Destinations[j].Conns.Active = active
			}
		}
	}
	return live
}

func TestDrainRemovedBackend(t *testing.T) {
	const oneService = `
  - name: web
    vip: 192.0.2.10
    ports: [{proto: tcp, port: 80}]
    drain_timeout: 30s
    backends:
      - {address: 198.51.100.21, weight: 10}
`
	_, c := fakeWith(t)
	converge(t, c, services(t, oneService+"      - {address: 198.51.100.22, weight: 10}\n"), nil)
	cfg := services(t, oneService)
	tg := effective(cfg, nil, true, nil)

	// Removed from config, still has connections: weight 0, deadline recorded.
	live := withConns(snapshot(t, c), "198.51.100.22:80", 3)
	drained, st := drain(live, tg, nil, configDrainTimeouts(cfg), t0)
	p := diff(live, drained, scopeOf(cfg))
	if got := planText(t, p); !strings.HasPrefix(got, "~ destination 198.51.100.22:80 in tcp/192.0.2.10:80 weight 10 -> 0 (draining)\n") || len(p.Steps) != 1 {
		t.Fatalf("first plan:\n%s", got)
	}
	if d, ok := st.Next(); !ok || !d.Equal(t0.Add(30*time.Second)) {
		t.Fatalf("drain deadline = %v %v", d, ok)
	}
	if len(tg.Services[0].Destinations) != 1 {
		t.Fatal("drain modified its input target")
	}
	mustApply(t, c, p.Ops())

	// Before the deadline, with connections: nothing to do.
	live = withConns(snapshot(t, c), "198.51.100.22:80", 3)
	drained, st = drain(live, tg, st, configDrainTimeouts(cfg), t0.Add(10*time.Second))
	if p := diff(live, drained, scopeOf(cfg)); !p.Empty() {
		t.Fatalf("plan while draining:\n%s", planText(t, p))
	}
	// Deadline passed: deleted even with connections.
	drained, st2 := drain(live, tg, st, configDrainTimeouts(cfg), t0.Add(30*time.Second))
	if p := diff(live, drained, scopeOf(cfg)); p.Count()[kernel.DeleteDestination] != 1 || len(st2) != 0 {
		t.Fatalf("plan after deadline:\n%s", planText(t, p))
	}
	// No connections left before the deadline: deleted.
	live = withConns(live, "198.51.100.22:80", 0)
	drained, _ = drain(live, tg, st, configDrainTimeouts(cfg), t0.Add(11*time.Second))
	if p := diff(live, drained, scopeOf(cfg)); p.Count()[kernel.DeleteDestination] != 1 {
		t.Fatalf("plan with no connections:\n%s", planText(t, p))
	}
}

func TestDrainSkipsRemovedOnPurpose(t *testing.T) {
	const api = `
  - name: api
    vip: 192.0.2.11
    ports: [{proto: tcp, port: 80}]
    on_unhealthy: remove
    backends: [{address: 198.51.100.31}, {address: 198.51.100.32}]
`
	cfg := services(t, api)
	_, c := fakeWith(t)
	converge(t, c, cfg, nil)
	h := Health{{Service: "api", Backend: mustAP("198.51.100.32:0")}: false}
	live := withConns(snapshot(t, c), "198.51.100.32:80", 5)
	drained, st := drain(live, effective(cfg, h, true, nil), nil, configDrainTimeouts(cfg), t0)
	p := diff(live, drained, scopeOf(cfg))
	if got := planText(t, p); !strings.HasPrefix(got, "- destination 198.51.100.32:80 from tcp/192.0.2.11:80 (unhealthy)\n") || len(st) != 0 {
		t.Fatalf("plan:\n%s", got)
	}
}
