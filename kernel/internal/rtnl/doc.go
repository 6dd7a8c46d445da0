// Package rtnl holds what the rtnetlink users under kernel/ share: opening
// a socket in a network namespace and looking up an interface by name.
package rtnl

import "errors"

// ErrNoInterface is returned for an interface that does not exist.
var ErrNoInterface = errors.New("no such interface")
