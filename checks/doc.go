// Package checks runs health checks against backends and reports their
// state changes in batches. It knows targets and specs, not services: the
// daemon maps its configuration to []Check and each Key back to the
// backends it decides. It imports no other project package.
//
// # Entry points
//
// New makes an Engine; Update sets the checks it runs (adding, keeping and
// removing by Key); Run checks until its context ends; Events delivers the
// state changes; Status, Statuses and Stats are snapshots for status output
// and metrics.
//
//	e := checks.New(checks.Options{})
//	spec := &checks.Spec{Type: checks.TypeHTTP, Interval: 2 * time.Second, Timeout: time.Second,
//		Rise: 2, Fall: 3, HTTP: checks.HTTPOptions{Path: "/healthz"}}
//	err := e.Update([]checks.Check{{Target: checks.Target{Address: addr, Port: 80}, Spec: spec}})
//	go e.Run(ctx)
//	for batch := range e.Events() { ... } // closed when Run returns
//
// A Spec says how to check (tcp, tls, udp, http, https, dns, radius, icmp;
// send and expect; intervals; Rise and Fall), a Target where (address, port,
// and for checks steered through IPVS a socket mark and source address).
// Spec.Normalize fills the defaults and rejects bad values with
// ErrInvalidSpec; a failed check's error wraps ErrTimeout or ErrMismatch
// when it is one.
//
// # Invariants
//
//   - Identical checks share one Key (the target and the hash of the
//     normalized spec) and run once, however many services ask for them.
//   - One goroutine (Run) owns the timer heap: there is no goroutine or
//     ticker per target. At most Options.MaxInFlight checks (and so check
//     sockets) are open at once.
//   - A check's next run is one interval after it was due, not after it
//     ended; a state changes only after Rise successes or Fall failures in
//     a row; events are delivered in order, merged while the reader is slow.
//   - The engine never writes to a Spec it is given.
//
// The checkers use Linux socket options (SO_MARK, resets on close, epoll,
// raw sockets for half-open tcp and icmp checks). On any other GOOS the
// package builds and specs validate, but Run logs an error wrapping
// errors.ErrUnsupported and returns. docs/checks.md describes the
// scheduler, each check type and its costs.
package checks
