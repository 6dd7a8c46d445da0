package vrrp

import (
	"context"
	"log/slog"
	"runtime"
	"testing"
	"time"
)

// masterLogLines adds "log" to an orderLog for each state-change line
// to Master.
type masterLogLines struct{ o *orderLog }

func (h masterLogLines) Enabled(context.Context, slog.Level) bool { return true }
func (h masterLogLines) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h masterLogLines) WithGroup(string) slog.Handler            { return h }
func (h masterLogLines) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "vrrp state change" {
		return nil
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "to" && a.Value.String() == Master.String() {
			h.o.add("log")
		}
		return true
	})
	return nil
}

// TestNewMasterEventGoesBeforeItsLogLine: with one processor, a node that
// becomes Master lets the consumer of its event run before it formats the
// state-change line, so that a daemon's takeover does not wait for the
// log. The scheduler looks at its global queue first on one pick in 61, so
// most rounds, not every one, must show the event first.
func TestNewMasterEventGoesBeforeItsLogLine(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	const rounds = 20
	first := 0
	for range rounds {
		o := &orderLog{}
		cfg := testConfig(100)
		cfg.AdvertInterval = 20 * time.Millisecond
		n, err := NewNode(cfg, (&segment{}).attach("192.0.2.11"), SystemClock{}, slog.New(masterLogLines{o}))
		if err != nil {
			t.Fatal(err)
		}
		got := make(chan struct{})
		go func() {
			for ev := range n.Events() {
				if ev.State == Master {
					o.add("event")
					close(got)
					for range n.Events() {
					}
					return
				}
			}
		}()
		errc := make(chan error, 1)
		go func() { errc <- n.Run(context.Background()) }()
		select {
		case <-got:
		case <-time.After(5 * time.Second):
			t.Fatal("no Master event within 5 s")
		}
		n.Shutdown()
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
		if lines := o.since(0); len(lines) > 0 && lines[0] == "event" {
			first++
		}
	}
	if first < rounds*3/4 {
		t.Fatalf("the consumer took the Master event before its log line in %d of %d rounds, want at least %d", first, rounds, rounds*3/4)
	}
}
