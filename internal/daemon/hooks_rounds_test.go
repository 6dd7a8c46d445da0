package daemon

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/reconcile"
)

// hookModel is the hook feed's service bookkeeping as a map and nothing
// else: what hookFeed.changedLocked and setConfigLocked must match.
type hookModel map[string]bool

func (m hookModel) configure(cfg desired.Config) {
	for name := range m {
		if !slices.ContainsFunc(cfg.Services, func(s desired.Service) bool { return s.Name == name }) {
			delete(m, name)
		}
	}
}

func (m hookModel) round(sts []reconcile.ServiceStatus) []reconcile.ServiceStatus {
	var out []reconcile.ServiceStatus
	for _, s := range sts {
		was, known := m[s.Name]
		if !known {
			was = true
		}
		m[s.Name] = s.Up
		if was != s.Up {
			out = append(out, s)
		}
	}
	return out
}

// TestHookRoundsEqualModel runs random configs and rounds (states
// flipping, services added and removed, now and then a round of an older
// config than the one in force) through the hook feed and the map model:
// the services reported as changed are the same every round, and the
// comparison by position is taken most of the time.
func TestHookRoundsEqualModel(t *testing.T) {
	fast := 0
	for seed := range uint64(20) {
		r := rand.New(rand.NewPCG(seed, 9))
		f := newHookFeed(nil)
		m := hookModel{}
		names := []string{"a", "b", "c", "d", "e", "f"}
		var cfgs []desired.Config
		cfgOf := func() desired.Config {
			var cfg desired.Config
			for _, n := range names {
				if r.IntN(5) != 0 {
					cfg.Services = append(cfg.Services, desired.Service{Name: n})
				}
			}
			return cfg
		}
		cfg := cfgOf()
		cfgs = append(cfgs, cfg)
		f.setConfigLocked(cfg)
		m.configure(cfg)
		var last []reconcile.ServiceStatus
		for step := range 100 {
			if r.IntN(8) == 0 {
				cfg = cfgOf()
				cfgs = append(cfgs, cfg)
				f.setConfigLocked(cfg)
				m.configure(cfg)
			}
			of := cfg
			if r.IntN(10) == 0 {
				of = cfgs[r.IntN(len(cfgs))] // a round still on an older config
			}
			sts := make([]reconcile.ServiceStatus, len(of.Services))
			for i, s := range of.Services {
				sts[i] = reconcile.ServiceStatus{Name: s.Name, Up: r.IntN(4) != 0}
			}
			if f.last != nil && sameNames(f.last, sts, statusName, statusName) {
				fast++
			}
			got, want := f.changedLocked(sts), m.round(sts)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("seed %d step %d: changed %v, want %v (last round %v)", seed, step, got, want, last)
			}
			last = sts
		}
		if !reflect.DeepEqual(map[string]bool(m), f.services) {
			t.Fatalf("seed %d: states %v, want %v", seed, f.services, m)
		}
	}
	if fast < 1000 {
		t.Fatalf("the comparison by position was taken %d times", fast)
	}
}
