package daemon

import (
	"context"
	"sync"
	"time"

	"github.com/seesaw-lb/seesaw/reconcile"
)

// announceResumed announces the VIPs a resumed master kept (resume.go) as
// a takeover announces the VIPs it adds: the instance's garp settings'
// Repeat announcements Interval apart at once, and the same again after
// Delay. The returned stop ends them and returns once no announcement is
// under way; the release hook calls it before the VIPs go, and the
// router's end (ctx) ends them too.
func (w *wiring) announceResumed(ctx context.Context, instance string, vips []reconcile.Address) (stop func()) {
	if w.announce == nil {
		return func() {}
	}
	w.mu.Lock()
	cfg := w.raw
	w.mu.Unlock()
	p := reconcile.Announce{Repeat: 1}
	for _, v := range cfg.Node.Instances() {
		if v.Name == instance {
			p = reconcile.Announce(v.GARP)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		w.announceBurst(ctx, vips, p)
		if p.Delay > 0 && sleepOrDone(ctx, p.Delay) {
			w.announceBurst(ctx, vips, p)
		}
	}()
	return func() {
		cancel()
		wg.Wait()
	}
}

// announceBurst announces every address of vips p.Repeat times (at least
// once), p.Interval apart, unless ctx ends.
func (w *wiring) announceBurst(ctx context.Context, vips []reconcile.Address, p reconcile.Announce) {
	for i := range max(p.Repeat, 1) {
		if i > 0 && !sleepOrDone(ctx, p.Interval) {
			return
		}
		for _, a := range vips {
			if ctx.Err() != nil {
				return
			}
			actx, cancel := context.WithTimeout(ctx, time.Second)
			err := w.announce(actx, a.Interface, a.Prefix.Addr())
			cancel()
			if err != nil && ctx.Err() == nil {
				w.log.Warn("announce a VIP", "interface", a.Interface, "address", a.Prefix.Addr().String(), "error", err.Error())
			}
		}
	}
}

// sleepOrDone waits d and reports true, or false when ctx ends first.
func sleepOrDone(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
