package kernel

import "context"

// IPVS is what a reconciler needs from the kernel: read the whole table and
// apply a plan. *Client satisfies it, whether it talks to the kernel (Dial)
// or to the fake in package kerneltest.
type IPVS interface {
	// Snapshot reads every service and destination.
	Snapshot(ctx context.Context) (Snapshot, error)
	// Apply runs ops in order and returns one Result per op. A failed op does
	// not stop the others. The error is non-nil only when nothing could be
	// sent at all (closed client, cancelled context before the first write).
	Apply(ctx context.Context, ops []Op) ([]Result, error)
	// Close releases the socket.
	Close() error
}
