package reconcile

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// adoptYAML has a checked service with every kind of backend, a service
// without checks, an on_unhealthy: remove service and a watermarked one.
const adoptYAML = `
  - name: web
    vip: 192.0.2.10
    ports: [{proto: tcp, port: 80}, {proto: tcp, port: 443}]
    checks: [{type: tcp}]
    backends:
      - {address: 198.51.100.21, weight: 10}
      - {address: 198.51.100.22, weight: 20}
      - {address: 198.51.100.23, weight: 30, enabled: false}
      - {address: 198.51.100.24, weight: 0}
  - name: plain
    vip: 192.0.2.11
    ports: [{proto: tcp, port: 80}]
    backends: [{address: 198.51.100.31}]
  - name: rm
    vip: 192.0.2.12
    ports: [{proto: tcp, port: 80}]
    on_unhealthy: remove
    checks: [{type: tcp}]
    backends: [{address: 198.51.100.41}, {address: 198.51.100.42}]
  - name: wm
    vip: 192.0.2.13
    ports: [{proto: tcp, port: 80}]
    watermarks: {low: 0.5, high: 1}
    checks: [{type: tcp}]
    backends: [{address: 198.51.100.51}, {address: 198.51.100.52}, {address: 198.51.100.53}]
`

// renderHealth prints a Health sorted: "service backend up|down" per line.
func renderHealth(h Health) string {
	var lines []string
	for k, v := range h {
		state := "down"
		if v {
			state = "up"
		}
		lines = append(lines, fmt.Sprintf("%s %s %s", k.Service, k.Backend.Addr(), state))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

func down(pairs ...string) Health {
	h := Health{}
	for i := 0; i+1 < len(pairs); i += 2 {
		h[BackendKey{Service: pairs[i], Backend: mustAP(pairs[i+1] + ":0")}] = false
	}
	return h
}

func TestAdoptedHealth(t *testing.T) {
	cfg := services(t, adoptYAML)
	cases := []struct {
		name string
		// health the previous process applied (nil: nothing applied, an empty table)
		health Health
		// edit replaces a backend line of the config between the two processes
		edit [2]string
		want string
	}{
		{name: "fresh boot: empty table", want: ""},
		{name: "all healthy", health: Health{}, want: `rm 198.51.100.41 up
rm 198.51.100.42 up
web 198.51.100.21 up
web 198.51.100.22 up
wm 198.51.100.51 up
wm 198.51.100.52 up
wm 198.51.100.53 up`},
		{name: "unhealthy: drained, removed, service down by watermarks",
			health: down("web", "198.51.100.21", "rm", "198.51.100.41", "wm", "198.51.100.51", "wm", "198.51.100.52"),
			want: `rm 198.51.100.41 down
rm 198.51.100.42 up
web 198.51.100.21 down
web 198.51.100.22 up
wm 198.51.100.51 down
wm 198.51.100.52 down
wm 198.51.100.53 down`},
		{name: "drained by hand since: unknown",
			health: down("web", "198.51.100.21"),
			edit:   [2]string{"198.51.100.21, weight: 10}", "198.51.100.21, weight: 10, enabled: false}"},
			want: `rm 198.51.100.41 up
rm 198.51.100.42 up
web 198.51.100.22 up
wm 198.51.100.51 up
wm 198.51.100.52 up
wm 198.51.100.53 up`},
		{name: "config weight 0 since: unknown",
			health: down("web", "198.51.100.21"),
			edit:   [2]string{"198.51.100.21, weight: 10}", "198.51.100.21, weight: 0}"},
			want: `rm 198.51.100.41 up
rm 198.51.100.42 up
web 198.51.100.22 up
wm 198.51.100.51 up
wm 198.51.100.52 up
wm 198.51.100.53 up`},
		{name: "a weight-0 backend enabled since, and a new backend",
			health: Health{},
			edit:   [2]string{"198.51.100.24, weight: 0}", "198.51.100.24, weight: 5}\n      - {address: 198.51.100.25, weight: 5}"},
			want: `rm 198.51.100.41 up
rm 198.51.100.42 up
web 198.51.100.21 up
web 198.51.100.22 up
web 198.51.100.24 down
wm 198.51.100.51 up
wm 198.51.100.52 up
wm 198.51.100.53 up`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, c := fakeWith(t)
			if tc.health != nil {
				out := Compute(snapshot(t, c), Inputs{Config: cfg, Health: tc.health, Master: true, Now: t0})
				mustApply(t, c, out.Plan.Ops())
			}
			now := cfg
			if tc.edit[0] != "" {
				now = services(t, strings.Replace(adoptYAML, tc.edit[0], tc.edit[1], 1))
			}
			if got := renderHealth(AdoptedHealth(now, snapshot(t, c))); got != tc.want {
				t.Fatalf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}
