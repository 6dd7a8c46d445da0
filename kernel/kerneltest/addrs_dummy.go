package kerneltest

import (
	"context"

	"github.com/seesaw-lb/seesaw/kernel/addrs"
)

var _ addrs.DummyMaker = (*Addresses)(nil)

// EnsureDummy implements addrs.DummyMaker: a missing interface is created
// (without addresses); Dummies lists the ones created.
func (f *Addresses) EnsureDummy(_ context.Context, ifname string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.ifaces[ifname]; ok {
		return false, nil
	}
	f.ifaces[ifname] = nil
	f.dummies = append(f.dummies, ifname)
	return true, nil
}

// Dummies returns the interfaces EnsureDummy created, in order.
func (f *Addresses) Dummies() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.dummies...)
}
