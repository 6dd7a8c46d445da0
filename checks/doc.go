// Package checks runs health checks against backends and reports batched
// state changes.
package checks
