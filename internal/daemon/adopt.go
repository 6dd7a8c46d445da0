package daemon

import (
	"context"
	"log/slog"

	"github.com/seesaw-lb/seesaw/checks"
	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/reconcile"
)

// readAdopted reads the table a restart finds, whose weights say which
// backends the previous process had drained as unhealthy. A failed read
// is logged, not fatal: every backend then starts as its checks' initial
// state says, as on a fresh boot.
func readAdopted(ctx context.Context, k kernel.IPVS, log *slog.Logger) *kernel.Snapshot {
	live, err := k.Snapshot(ctx)
	if err != nil {
		log.Error("read IPVS table to adopt health verdicts; backends start as their checks' initial state says", "error", err.Error())
		return nil
	}
	return &live
}

// adoptLocked derives the adopted verdicts from the table read at start and
// the first valid config (reconcile.AdoptedHealth), once; w.mu is held.
func (w *wiring) adoptLocked(cfg desired.Config) {
	if w.adoptedLive == nil {
		return
	}
	w.adopted = reconcile.AdoptedHealth(cfg, *w.adoptedLive)
	w.adoptedLive = nil
	down := 0
	for _, v := range w.adopted {
		if !v {
			down++
		}
	}
	if down > 0 {
		w.log.Info("backends drained in the kernel start down until their checks rise", "backends", down)
	}
}

// markStartDown makes the checks at pos (index in p.Checks by Key) start
// down when at least one backend they decide was adopted down and none was
// adopted up: a check shared with a backend that had traffic was up.
func markStartDown(p *checkPlan, pos map[checks.Key]int, adopted reconcile.Health) {
	for k, i := range pos {
		down := false
		for _, bk := range p.Backends[k] {
			v, known := adopted[bk]
			if known && v {
				down = false
				break
			}
			down = down || known
		}
		if down {
			p.Checks[i].StartDown = true
			p.Initial[k] = checks.StateDown
		}
	}
}

// holdAdopted keeps the backends adopted down unhealthy in h until their
// checks rise, and forgets each one that rose or that no check decides any
// more. A backend whose check waits for its check-service mark (not in h)
// stays down meanwhile. adopted keeps only its down entries afterwards.
func holdAdopted(h reconcile.Health, adopted reconcile.Health, waiting map[reconcile.BackendKey]bool) {
	for bk, v := range adopted {
		up, checked := h[bk]
		switch {
		case v || (checked && up && !waiting[bk]) || (!checked && !waiting[bk]):
			delete(adopted, bk)
		default:
			h[bk] = false
		}
	}
}
