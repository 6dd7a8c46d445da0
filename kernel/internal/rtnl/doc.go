// Package rtnl holds what the rtnetlink users under kernel/ share: opening
// a socket in a network namespace, and the error for a missing interface.
// Interfaces are looked up by name on the open socket (internal/rtlink).
package rtnl

import "errors"

// ErrNoInterface is returned for an interface that does not exist.
var ErrNoInterface = errors.New("no such interface")
