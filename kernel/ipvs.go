package kernel

import "context"

// IPVS is what a reconciler needs from the kernel: read the whole table and
// apply a plan. *Client satisfies it, whether it talks to the kernel (Dial)
// or to the fake in package kerneltest.
type IPVS interface {
	// Snapshot reads every service and destination.
	Snapshot(ctx context.Context) (Snapshot, error)
	// Services dumps every service, without destinations: with
	// DestinationsOf, a full read in parts (a resync spread over time).
	Services(ctx context.Context) ([]Service, error)
	// DestinationsOf dumps the destinations of each of keys, one list per
	// key in order, sorted by key; a missing service has none.
	DestinationsOf(ctx context.Context, keys []ServiceKey) ([][]Destination, error)
	// VisitDestinations dumps the destinations of each of keys like
	// DestinationsOf, but hands each list to visit with its key's index
	// instead of keeping it: the list's memory is reused by the next dump,
	// so a reader that keeps few lists (a resync comparing with its cache)
	// allocates nothing per dump. visit must copy what it keeps; calls for
	// different keys may run at the same time.
	VisitDestinations(ctx context.Context, keys []ServiceKey, visit func(i int, ds []Destination)) error
	// Apply runs ops in order and returns one Result per op. A failed op does
	// not stop the others. The error is non-nil only when nothing could be
	// sent at all (closed client, cancelled context before the first write).
	Apply(ctx context.Context, ops []Op) ([]Result, error)
	// Close releases the socket.
	Close() error
}
