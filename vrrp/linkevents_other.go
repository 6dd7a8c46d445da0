//go:build !linux

package vrrp

import "context"

// linkChanges has no kernel notifications to offer here: the links are
// looked at every trackPeriod.
func linkChanges(context.Context) <-chan struct{} { return nil }
