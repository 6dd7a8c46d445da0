package daemon

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/seesaw-lb/seesaw/reconcile"
)

// Outcomes of an apply request (ApplyResult.Outcome).
const (
	// ApplyApplied: the round of the reloaded config ran without error.
	ApplyApplied = "applied"
	// ApplyHeld: the mass-delete guard held the round's service deletions
	// back; the rest of its plan was applied.
	ApplyHeld = "held"
	// ApplyFailed: the round ran but an operation (IPVS, VIP addresses,
	// sync daemon, check routes) failed; the loop retries with backoff.
	ApplyFailed = "failed"
	// ApplyRejected: the files on disk are invalid; the config in force
	// keeps running and no round was run for them.
	ApplyRejected = "rejected"
)

// ApplyResult is the daemon's answer to POST /apply: the outcome of the
// round that put the files on disk into force.
type ApplyResult struct {
	Outcome string `json:"outcome"`
	// Generation is the config generation the round applied (for
	// rejected: the generation still in force).
	Generation int `json:"generation"`
	// Ops are the round's plan lines (reconcile.StepLine; at most 100,
	// then "... N more"); empty when the round changed nothing.
	Ops []string `json:"ops"`
	// Applied and Failed count the round's operations.
	Applied int `json:"applied"`
	Failed  int `json:"failed"`
	// Held is the guard's reason when Outcome is held.
	Held string `json:"held,omitempty"`
	// Error is the round's error (failed) or the config error (rejected).
	Error string `json:"error,omitempty"`
}

// Changed reports whether the round applied any operation.
func (r ApplyResult) Changed() bool { return r.Applied > 0 }

// reloadRequest asks the reloader for a full reload (as SIGHUP) and
// receives its result: nil when the config went into force.
type reloadRequest chan error

// apply reloads the configuration and waits for the round that applies
// it; ctx (the request's) bounds the wait.
func (w *wiring) apply(ctx context.Context) (ApplyResult, error) {
	done := make(reloadRequest, 1)
	select {
	case w.reloads <- done:
	case <-ctx.Done():
		return ApplyResult{}, fmt.Errorf("apply: the reloader is busy: %w", ctx.Err())
	}
	var loadErr error
	select {
	case loadErr = <-done:
	case <-ctx.Done():
		return ApplyResult{}, fmt.Errorf("apply: reload the configuration: %w", ctx.Err())
	}
	next, err := w.loop.Next(ctx)
	if err != nil {
		return ApplyResult{}, fmt.Errorf("apply: %w", err)
	}
	if loadErr != nil {
		return ApplyResult{Outcome: ApplyRejected, Generation: next.Generation, Error: loadErr.Error()}, nil
	}
	if !next.HaveConfig {
		return ApplyResult{}, errors.New("apply: the loop has no configuration")
	}
	st, err := w.roundsSeen.wait(ctx, next.Rounds+1)
	if err != nil {
		return ApplyResult{}, fmt.Errorf("apply generation %d: wait for its round: %w", next.Generation, err)
	}
	return applyResultOf(st), nil
}

// applyResultOf reads the outcome of a round from its status.
func applyResultOf(st reconcile.Status) ApplyResult {
	r := ApplyResult{Outcome: ApplyApplied, Generation: st.Generation, Ops: []string{}, Held: st.Held, Error: st.Error}
	for _, n := range st.Applied {
		r.Applied += n
	}
	for _, n := range st.Failed {
		r.Failed += n
	}
	r.Applied += st.SettingsApplied.Total()
	r.Failed += st.SettingsFailed.Total()
	if r.Applied+r.Failed > 0 || st.Held != "" {
		r.Ops = st.LastPlan // the round's own: LastPlan changes only with a non-empty plan
	}
	switch {
	case st.Error != "":
		r.Outcome = ApplyFailed
	case st.Held != "":
		r.Outcome = ApplyHeld
	}
	return r
}

// applyHandler is POST /apply: a state-changing command with a result.
func (w *wiring) applyHandler(access controlAccess) http.HandlerFunc {
	return w.changingWith(access, "apply", func(r *http.Request) (controlReply, error) {
		res, err := w.apply(r.Context())
		if err != nil {
			return controlReply{}, err
		}
		return controlReply{OK: true, Apply: &res}, nil
	})
}
