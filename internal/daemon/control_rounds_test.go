package daemon

import (
	"context"
	"errors"
	"testing"
	"time"

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
