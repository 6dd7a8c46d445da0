package vrrp

import (
	"os"
	"testing"
)

// TestMain lets the test binary serve as the advert sender process of the
// nodes its tests start (Config.AdvertSender TimingProcess re-executes
// the running binary).
func TestMain(m *testing.M) {
	RunSenderIfChild()
	os.Exit(m.Run())
}
