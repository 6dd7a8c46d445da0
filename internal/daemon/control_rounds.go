package daemon

import (
	"context"
	"fmt"
	"sync"

	"github.com/seesaw-lb/seesaw/reconcile"
)

// keptRounds is how many recent round statuses a roundLog keeps, so a
// waiter that registers just after its round still finds it.
const keptRounds = 8

// roundLog keeps the statuses of the loop's latest rounds and lets
// requests (apply) wait for the round with a given number.
type roundLog struct {
	mu      sync.Mutex
	recent  []reconcile.Status // the last keptRounds, oldest first
	waiters map[int][]chan reconcile.Status
}

func newRoundLog() *roundLog { return &roundLog{waiters: map[int][]chan reconcile.Status{}} }

// observe records a round's status and hands it to its waiters; it never
// blocks (each waiter's channel has room for its one status).
func (l *roundLog) observe(st reconcile.Status) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.recent) == keptRounds {
		l.recent = append(l.recent[:0], l.recent[1:]...)
	}
	l.recent = append(l.recent, st)
	for _, ch := range l.waiters[st.Rounds] {
		ch <- st
	}
	delete(l.waiters, st.Rounds)
}

// wait returns the status of round n (Status.Rounds == n) once it has run.
func (l *roundLog) wait(ctx context.Context, n int) (reconcile.Status, error) {
	l.mu.Lock()
	for _, st := range l.recent {
		if st.Rounds == n {
			l.mu.Unlock()
			return st, nil
		}
	}
	if k := len(l.recent); k > 0 && l.recent[k-1].Rounds > n {
		l.mu.Unlock()
		return reconcile.Status{}, fmt.Errorf("round %d ran more than %d rounds ago and its status is no longer kept", n, keptRounds)
	}
	ch := make(chan reconcile.Status, 1)
	l.waiters[n] = append(l.waiters[n], ch)
	l.mu.Unlock()
	select {
	case st := <-ch:
		return st, nil
	case <-ctx.Done():
		l.mu.Lock()
		defer l.mu.Unlock()
		select {
		case st := <-ch:
			return st, nil
		default:
		}
		ws := l.waiters[n]
		for i, c := range ws {
			if c == ch {
				l.waiters[n] = append(ws[:i:i], ws[i+1:]...)
				break
			}
		}
		if len(l.waiters[n]) == 0 {
			delete(l.waiters, n)
		}
		return reconcile.Status{}, ctx.Err()
	}
}
