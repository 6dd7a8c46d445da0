package reconcile

import (
	"context"
	"fmt"
	"maps"
	"slices"
)

// NextRound is what the loop's next round plans with: its inputs (the
// config in force, health, mastership, watermark states, drain deadlines)
// and where its status stands when they were taken.
type NextRound struct {
	Inputs Inputs
	// Generation is the config generation the next round applies.
	Generation int
	// Rounds counts the rounds before it: the next round's status has
	// Rounds+1.
	Rounds int
	// Addresses are the VIPs the node holds now.
	Addresses []Address
	// HaveConfig is false before the first valid config: no round runs.
	HaveConfig bool
}

// Next returns the inputs of the loop's next round. It runs on the loop's
// goroutine after the inputs already sent are taken, so the round that
// follows it plans with exactly these inputs (Now aside, which is the
// round's clock) and reports Rounds+1 in its status. Inputs.Now is the
// loop's clock at the call. ctx bounds the wait for a busy loop.
func (l *Loop) Next(ctx context.Context) (NextRound, error) {
	done := make(chan NextRound, 1)
	take := func() {
		st := l.Status()
		in := Inputs{Config: l.cfg, Health: maps.Clone(l.health), Master: l.master, Instances: maps.Clone(l.instances), States: maps.Clone(l.states),
			Draining: maps.Clone(l.draining), Now: l.o.Now(), AllowMassDelete: l.o.AllowMassDelete}
		done <- NextRound{Inputs: in, Generation: st.Generation, Rounds: st.Rounds,
			Addresses: slices.Clone(st.Addresses), HaveConfig: l.haveCfg}
	}
	select {
	case l.calls <- take:
	case <-l.stopped:
		return NextRound{}, fmt.Errorf("read the loop's inputs: the loop has stopped")
	case <-ctx.Done():
		return NextRound{}, fmt.Errorf("read the loop's inputs: the loop is busy: %w", ctx.Err())
	}
	select {
	case r := <-done:
		return r, nil
	case <-ctx.Done():
		return NextRound{}, fmt.Errorf("read the loop's inputs: the loop is busy: %w", ctx.Err())
	}
}
