package reconcile

import (
	"testing"

	"github.com/seesaw-lb/seesaw/kernel/checkpath"
)

// mapSysctls is an in-memory checkpath.Sysctls that counts writes.
type mapSysctls struct {
	m      map[string]string
	writes int
}

func (s *mapSysctls) Get(name string) (string, error) { return s.m[name], nil }
func (s *mapSysctls) Set(name, v string) error {
	s.m[name] = v
	s.writes++
	return nil
}

func TestCheckSysctls(t *testing.T) {
	withDSR := checksConfig(t, dsrService("web", "192.0.2.10", "198.51.100.1"))
	without := checksConfig(t, "  - name: web\n    vip: 192.0.2.10\n    forward: dr\n    ports: [{proto: tcp, port: 80}]\n    backends: [{address: 198.51.100.1}]\n")
	cases := []struct {
		name         string
		start        string
		want1, want2 string // after a dsr config, then after one without
		writes       int
	}{
		{"set while needed, then put back", "0", "1", "0", 2},
		{"already 1 (operator or previous run): left alone", "1", "1", "1", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sys := &mapSysctls{m: map[string]string{checkpath.AcceptLocalSysctl: tc.start}}
			c := NewCheckSysctls(sys)
			for _, step := range []struct {
				cfg  string
				want string
			}{{"dsr", tc.want1}, {"dsr again", tc.want1}, {"none", tc.want2}} {
				cfg := withDSR
				if step.cfg == "none" {
					cfg = without
				}
				if err := c.Sync(cfg); err != nil {
					t.Fatal(err)
				}
				if got := sys.m[checkpath.AcceptLocalSysctl]; got != step.want {
					t.Errorf("after %s: accept_local %s, want %s", step.cfg, got, step.want)
				}
			}
			if sys.writes != tc.writes {
				t.Errorf("%d writes, want %d", sys.writes, tc.writes)
			}
		})
	}
}
