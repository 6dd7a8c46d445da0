// Package reconcile computes the target IPVS state from the desired config,
// health and mastership, diffs it against the live kernel and applies the plan.
package reconcile
