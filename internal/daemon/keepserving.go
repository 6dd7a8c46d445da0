package daemon

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/seesaw-lb/seesaw/reconcile"
)

// listenerBackoff spaces the retries of a listener that cannot listen or
// serve: 1 s, doubling up to 30 s.
var listenerBackoff = reconcile.Backoff{Min: time.Second, Max: 30 * time.Second}

// keepServing runs a part not needed to forward traffic (the metrics
// listener, the control socket) until ctx is done. When listen or serve
// fails, the part is reported degraded (log, status, seesaw_degraded) and
// retried with listenerBackoff; it stops the daemon only when another
// daemon answers on the control socket (errAnotherDaemon).
func (w *wiring) keepServing(ctx context.Context, part string, listen func() (net.Listener, error), serve func(net.Listener) error) error {
	failures := 0
	for {
		ln, err := listen()
		if err == nil {
			w.restore(part)
			failures = 0
			if err = serve(ln); err == nil {
				err = errors.New("stopped serving")
			}
		}
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, errAnotherDaemon) {
			return err
		}
		failures++
		delay := listenerBackoff.Delay(failures)
		w.degrade(part, fmt.Errorf("%w; retrying in %v", err, delay))
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(delay):
		}
	}
}
