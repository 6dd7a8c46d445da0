// Package gcpolicy is the garbage-collector setting seesaw-reconcile runs
// with, shared with the benchmarks that measure the checks engine the way
// the daemon runs it (docs/operations.md, "Memory").
package gcpolicy

import (
	"os"
	"runtime/debug"
)

// Percent is the GOGC the daemon uses unless the GOGC environment variable
// is set: the heap may grow by half its live size between collections
// instead of doubling. The daemon allocates little once running (a check
// allocates a few hundred bytes), so collections stay rare and cheap, while
// the resident size between them drops by about a quarter at 100,000 check
// targets (docs/benchmarks.md, checks).
const Percent = 50

// Apply sets Percent unless GOGC is set in the environment, and returns
// the GOGC in effect (negative: collection off).
func Apply() int {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(Percent)
	}
	return Current()
}

// Current returns the GOGC in effect.
func Current() int {
	p := debug.SetGCPercent(-1)
	debug.SetGCPercent(p)
	return p
}
