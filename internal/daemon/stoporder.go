package daemon

import "context"

// On a stop (SIGTERM), a VRRP master's release is what the network
// waits for: until its VIPs are gone and its priority-0 advert has left,
// no node serves them. The checks engine, which with thousands of checks
// closes as many sockets and ends as many goroutines when it stops, stops
// only after the VRRP node has finished, so that its winding down does
// not share the processor with the release. The parts that are cheap to
// stop stop at once.

// afterVRRP returns the context of a part that stops after the VRRP node:
// on a stop (ctx done) it ends once vrrpDone is closed; when a part of the
// daemon failed (gctx done, ctx not), it ends at once. The cancel function
// releases it.
func afterVRRP(ctx, gctx context.Context, vrrpDone <-chan struct{}) (context.Context, context.CancelFunc) {
	part, cancel := context.WithCancel(context.WithoutCancel(gctx))
	go func() {
		select {
		case <-gctx.Done():
		case <-part.Done():
			return
		}
		if ctx.Err() != nil {
			select {
			case <-vrrpDone:
			case <-part.Done():
			}
		}
		cancel()
	}()
	return part, cancel
}
