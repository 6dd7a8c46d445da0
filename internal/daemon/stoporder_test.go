package daemon

import (
	"context"
	"errors"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"
)

// TestChecksStopAfterVRRP: on a stop the part's context stays live until
// the VRRP node has finished, and ends right after it; when a part fails
// it ends at once, whatever the VRRP node does.
func TestChecksStopAfterVRRP(t *testing.T) {
	ended := func(c context.Context) bool {
		select {
		case <-c.Done():
			return true
		case <-time.After(50 * time.Millisecond):
			return false
		}
	}

	t.Run("stop", func(t *testing.T) {
		ctx, stop := context.WithCancel(context.Background())
		g, gctx := errgroup.WithContext(ctx)
		vrrpDone := make(chan struct{})
		part, cancel := afterVRRP(ctx, gctx, vrrpDone)
		defer cancel()
		stop()
		if ended(part) {
			t.Fatal("the part stopped before the VRRP node had finished")
		}
		close(vrrpDone)
		if !ended(part) {
			t.Fatal("the part still runs after the VRRP node finished")
		}
		g.Wait()
	})

	t.Run("failure", func(t *testing.T) {
		ctx := context.Background()
		g, gctx := errgroup.WithContext(ctx)
		part, cancel := afterVRRP(ctx, gctx, make(chan struct{}))
		defer cancel()
		g.Go(func() error { return errors.New("the control socket failed") })
		if !ended(part) {
			t.Fatal("the part still runs after another part failed")
		}
		g.Wait()
	})

	t.Run("cancel", func(t *testing.T) {
		ctx := context.Background()
		_, gctx := errgroup.WithContext(ctx)
		part, cancel := afterVRRP(ctx, gctx, make(chan struct{}))
		cancel()
		if !ended(part) {
			t.Fatal("the part still runs after its cancel")
		}
	})
}
