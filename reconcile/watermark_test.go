package reconcile

import (
	"fmt"
	"net/netip"
	"testing"
)

const wmYAML = `
  - name: web
    vip: 192.0.2.10
    ports: [{proto: tcp, port: 80}]
    watermarks: {low: 0.5, high: 0.75}
    backends:
      - {address: 198.51.100.1}
      - {address: 198.51.100.2}
      - {address: 198.51.100.3}
      - {address: 198.51.100.4}
`

// healthWith marks the first n of the four wmYAML backends healthy.
func healthWith(n int) Health {
	h := Health{}
	for i := 1; i <= 4; i++ {
		h[BackendKey{Service: "web", Backend: netip.MustParseAddrPort(fmt.Sprintf("198.51.100.%d:0", i))}] = i <= n
	}
	return h
}

func TestWatermarkHysteresis(t *testing.T) {
	cfg := services(t, wmYAML)
	// healthy backends over time and the expected up state after each step
	steps := []struct {
		healthy int
		up      bool
	}{
		{4, true}, {2, true}, {1, false}, {2, false}, {3, true}, {2, true}, {1, false}, {4, true},
	}
	var prev ServiceStates
	for i, s := range steps {
		tg := effective(cfg, healthWith(s.healthy), true, prev)
		st := tg.Status[0]
		if st.Up != s.up || st.Healthy != s.healthy || st.Enabled != 4 {
			t.Fatalf("step %d (%d healthy): status %+v, want up=%v", i, s.healthy, st, s.up)
		}
		active := 0
		for _, d := range tg.Services[0].Destinations {
			if d.Config.Weight > 0 {
				active++
			}
			if !s.up && d.Config.Weight != 0 {
				t.Fatalf("step %d: down service has destination %v at weight %d", i, d.Key, d.Config.Weight)
			}
		}
		if s.up && active != s.healthy {
			t.Fatalf("step %d: %d active destinations, want %d", i, active, s.healthy)
		}
		prev = tg.States()
	}
}

func TestWatermarkStartsDownBelowLow(t *testing.T) {
	tg := effective(services(t, wmYAML), healthWith(1), true, nil)
	if tg.Status[0].Up {
		t.Fatal("service with 1/4 healthy and low 0.5 starts up")
	}
}
