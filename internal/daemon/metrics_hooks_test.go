package daemon

import (
	"context"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/seesaw-lb/seesaw/internal/hooks"
)

// TestHookMetrics: a hook's runs, by result, and its drops are exported.
func TestHookMetrics(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("hooks run on Unix only")
	}
	prog := filepath.Join(t.TempDir(), "hook.sh")
	if err := os.WriteFile(prog, []byte("#!/bin/sh\n[ \"$SEESAW_EVENT\" = master ]\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := hooks.New(hooks.Options{Log: slog.New(slog.DiscardHandler)})
	r.Update([]hooks.Hook{{Name: "page", On: []string{"master", "backup"}, Run: []string{prog}}})
	w := &wiring{hooks: newHookFeed(r)}
	newMetrics(w) // registers hookCollector beside the others without a conflict
	reg := prometheus.NewRegistry()
	reg.MustRegister(hookCollector{w: w})
	r.Notify(hooks.Event{Kind: "master"})
	r.Notify(hooks.Event{Kind: "backup"}) // exits 1
	eventually(t, "two runs", func() bool { s := r.Stats()["page"]; return s.OK+s.Failed == 2 })
	if err := r.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if !strings.HasPrefix(mf.GetName(), "seesaw_hook_") {
			continue
		}
		for _, mt := range mf.GetMetric() {
			key := mf.GetName()
			for _, l := range mt.GetLabel() {
				key += " " + l.GetName() + "=" + l.GetValue()
			}
			got[key] = mt.GetCounter().GetValue() + mt.GetGauge().GetValue()
		}
	}
	want := map[string]float64{
		"seesaw_hook_runs_total hook=page result=ok":      1,
		"seesaw_hook_runs_total hook=page result=failed":  1,
		"seesaw_hook_runs_total hook=page result=timeout": 0,
		"seesaw_hook_dropped_total hook=page":             0,
		"seesaw_hook_running hook=page":                   0,
	}
	if !maps.Equal(got, want) {
		t.Errorf("hook metrics %v, want %v", got, want)
	}
}
