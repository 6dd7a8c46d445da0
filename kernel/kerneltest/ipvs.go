package kerneltest

import "github.com/seesaw-lb/seesaw/kernel"

// IPVS is the fake IPVS kernel.
type IPVS = kernel.Fake

// NewIPVS returns an empty fake IPVS kernel.
func NewIPVS() *IPVS { return kernel.NewFake() }
