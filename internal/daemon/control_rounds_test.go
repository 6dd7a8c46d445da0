package daemon

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/reconcile"
)

// TestRoundLog: a waiter gets its round whether it registers before or
// after it ran, a round long gone is an error, and a cancelled wait ends.
func TestRoundLog(t *testing.T) {
	l := newRoundLog()
	got := make(chan reconcile.Status, 1)
	go func() {
		st, err := l.wait(t.Context(), 2)
		if err != nil {
			t.Error(err)
		}
		got <- st
	}()
	time.Sleep(10 * time.Millisecond) // let the waiter register (either order is correct)
	l.observe(reconcile.Status{Rounds: 1})
	l.observe(reconcile.Status{Rounds: 2, Generation: 5})
	if st := <-got; st.Rounds != 2 || st.Generation != 5 {
		t.Fatalf("waited for round 2, got %+v", st)
	}
	if st, err := l.wait(t.Context(), 1); err != nil || st.Rounds != 1 {
		t.Fatalf("round 1 after it ran: %+v, %v", st, err)
	}
	for i := 3; i <= 3+keptRounds; i++ {
		l.observe(reconcile.Status{Rounds: i})
	}
	if _, err := l.wait(t.Context(), 1); err == nil {
		t.Fatal("round 1, no longer kept: no error")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if _, err := l.wait(ctx, 100); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a round that never comes: %v", err)
	}
	if len(l.waiters) != 0 {
		t.Fatalf("a cancelled waiter stays registered: %v", l.waiters)
	}
}

// TestApplyResultOf: a round's status maps to the apply outcome; the plan
// lines are the round's only when it applied, failed or held something
// (Status.LastPlan keeps the last non-empty plan).
func TestApplyResultOf(t *testing.T) {
	ops := map[kernel.OpKind]int{kernel.UpdateDestination: 1}
	none := map[kernel.OpKind]int{}
	lines := []string{"~ destination 198.51.100.1:80 in tcp/192.0.2.10:80 weight 1 -> 2"}
	for _, tc := range []struct {
		name    string
		st      reconcile.Status
		outcome string
		ops     int
	}{
		{"applied", reconcile.Status{Generation: 3, Applied: ops, Failed: none, LastPlan: lines}, ApplyApplied, 1},
		{"nothing to do, an older plan in LastPlan", reconcile.Status{Generation: 4, Applied: none, Failed: none, LastPlan: lines}, ApplyApplied, 0},
		{"held", reconcile.Status{Generation: 5, Applied: none, Failed: none, Held: "mass-delete guard: ...", LastPlan: lines}, ApplyHeld, 1},
		{"failed", reconcile.Status{Generation: 6, Applied: none, Failed: ops, Error: "1 of 1 operations failed", LastPlan: lines}, ApplyFailed, 1},
		{"VIPs failed, IPVS unchanged", reconcile.Status{Generation: 7, Applied: none, Failed: none, Error: "VIP addresses: ..."}, ApplyFailed, 0},
	} {
		r := applyResultOf(tc.st)
		if r.Outcome != tc.outcome || len(r.Ops) != tc.ops || r.Generation != tc.st.Generation || r.Changed() != (tc.st.Applied[kernel.UpdateDestination] > 0) {
			t.Errorf("%s: %+v, want outcome %s with %d plan lines", tc.name, r, tc.outcome, tc.ops)
		}
	}
}
