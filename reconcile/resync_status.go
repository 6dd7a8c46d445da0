package reconcile

import "time"

// ResyncStatus is the periodic resync's pacing and its last complete cycle
// (Status.Resync; the daemon's seesaw_resync_* metrics). A cycle re-reads
// every service once; zero values before the first cycle ends.
type ResyncStatus struct {
	// Interval is the resync interval in force (node.resync_interval, else
	// the daemon's --resync) and CPUBudget the share of one core the
	// resync may use (node.resync_cpu).
	Interval  time.Duration
	CPUBudget float64
	// Cycles counts the complete cycles since start; Stretched counts
	// those that took longer than Interval because the CPU budget or the
	// wall-time share (1/5) held their steps back.
	Cycles    int
	Stretched int
	// LastCycle is the length of the last complete cycle, from its first
	// step to the next cycle's first step: the longest a change made by
	// hand waited to be read. LastCycleCPU is the process's CPU time across
	// its steps and the rounds they ran, the dumps' kernel time included;
	// LastCycleServices the services it re-read; LastCycleStretched whether
	// it was stretched.
	LastCycle          time.Duration
	LastCycleCPU       time.Duration
	LastCycleServices  int
	LastCycleStretched bool
}
