// Package reconcile makes the kernel's IPVS table match the configuration.
// It turns the desired config, the health verdicts and the VRRP mastership
// into a target state, compares it with the live table and applies the
// smallest ordered plan that closes the gap, without ever flushing.
//
// # Entry points
//
//   - Compute is one pure planning round: Inputs (config, health,
//     mastership, the previous round's watermark and drain states, the
//     time) and a live kernel.Snapshot in, an Outcome (Target, Plan, next
//     states) out. ComputeIncremental gives the same Outcome for the
//     services that changed since the previous round, or says it cannot.
//   - Plan is what a round would do; RenderText prints it as a diff (the
//     plan and diff commands), RenderJSON as JSON (JSONPlan).
//   - Loop is the daemon: NewLoop wires it to the kernel (LoopOptions), the
//     SetConfig, SetHealth and SetMaster methods feed it from any
//     goroutine, Run reconciles after each burst of inputs, every resync
//     interval and at drain deadlines, and Status reports the last round.
//     Release gives mastership up at once (VIPs removed, sync daemon
//     backup, IPVS untouched) and returns when that is done. With several
//     VRRP instances, SetInstanceMaster and ReleaseInstance do the same for
//     one instance's VIPs and floating addresses.
//   - PlanSettings is the pure planning of the node settings (node.ipvs:
//     IPVS timeouts, net.ipv4.vs sysctls) against their read values;
//     NodeSettings keeps them for the Loop (LoopOptions.Settings), read
//     again at each resync.
//   - Watcher reports bursts of changes in the configuration directory;
//     desired.Loader reloads it, re-parsing only changed files.
//
// # Example
//
//	cfg, err := desired.Load("/etc/seesaw")
//	if err != nil { ... }
//	out := reconcile.Compute(live, reconcile.Inputs{Config: cfg, Master: true, Now: time.Now()})
//	reconcile.RenderText(os.Stdout, out.Plan, false)
//	results, err := ipvs.Apply(ctx, out.Plan.Ops()) // out.Plan.HeldSteps are held back
//
// # Invariants
//
// A change to this package must keep these; the tests named check them.
//
//   - Compute is pure: no I/O, no clock, no state; the same inputs give the
//     same Outcome, and its inputs are not modified (TestDrainRemovedBackend,
//     TestDiffOrderAndDeterminism). State that must outlive a round (watermark
//     up/down, drain deadlines) goes out in the Outcome and comes back in the
//     next Inputs.
//   - Plans add before they delete: add and update services, add and update
//     destinations, delete destinations, delete services, each group sorted
//     by key (TestDiffOrderAndDeterminism).
//   - Plans are minimal: a restart against a table that already matches
//     plans zero operations, and an edit plans only what it changed
//     (TestDiffRestartIsZeroOps, TestDiffMinimalOps, TestRandomConvergence).
//   - Nothing outside the configured scope (node.scope) is touched
//     (TestDiffScope).
//   - A plan deleting more than node.mass_delete.max_share of the owned
//     services, and more than node.mass_delete.min_count, has exactly its
//     service deletions held back (Plan.HeldSteps), unless allowed; the
//     rest is applied and a master keeps the held services' VIPs
//     (TestGuard, TestGuardHoldsOnlyDeletions, TestLoopHeldPlanKeepsTraffic).
//   - A VIP is never announced after it was deleted: its repeated
//     announcements (Announce) end before the address goes
//     (TestAnnounceRepeatsAndRefreshes).
//   - Incremental equals full: ComputeIncremental's Outcome equals
//     Compute's whenever it reports true, and the loop's patched table
//     equals a fresh read (TestIncrementalEqualsCompute,
//     TestPatchMatchesKernel); when in doubt, fall back to the full path.
//
// docs/reconcile.md explains each decision.
package reconcile
