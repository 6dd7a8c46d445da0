package daemon

import (
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/internal/gcpolicy"
	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/kerneltest"
	"github.com/seesaw-lb/seesaw/reconcile"
	"github.com/seesaw-lb/seesaw/vrrp"
)

// childArgsEnv makes the test binary act as `seesaw-reconcile run`, with
// the run flags in the variable (separated by "\x1f"), so tests can run the
// daemon as a real process, send it signals and kill -9 it.
const childArgsEnv = "SEESAW_TEST_CHILD_ARGS"

// childFakeEnv, set with childArgsEnv, runs the child daemon on a fake
// kernel; without it the child uses the kernel of its network namespace.
const childFakeEnv = "SEESAW_TEST_CHILD_FAKE_KERNEL"

// childRealAddrsEnv, set with childFakeEnv, has the child manage the VIP
// addresses of its network namespace (rtnetlink, GARP / NA) beside its fake
// IPVS.
const childRealAddrsEnv = "SEESAW_TEST_CHILD_REAL_ADDRS"

// childGCPolicyEnv, set with childFakeEnv, applies the daemon's GC policy
// to the child as the command's run does (benchmarks of a loaded daemon).
const childGCPolicyEnv = "SEESAW_TEST_CHILD_GC_POLICY"

func TestMain(m *testing.M) {
	vrrp.RunSenderIfChild()
	if args, ok := os.LookupEnv(childArgsEnv); ok {
		d := systemDeps()
		if os.Getenv(childFakeEnv) != "1" {
			gcpolicy.Apply() // as the command's run does
		} else {
			f := kerneltest.NewIPVS()
			d = deps{
				openKernel: func() (kernel.IPVS, error) { return f.Dial(kernel.Options{}) },
				now:        time.Now,
				vips:       func(*slog.Logger) reconcile.VIPManager { return nil },
				listenVRRP: vrrp.Listen,
			}
			if os.Getenv(childRealAddrsEnv) == "1" {
				d.vips = kernelVIPs
			}
			if os.Getenv(childGCPolicyEnv) == "1" {
				gcpolicy.Apply()
			}
		}
		o, err := testOptions(strings.Split(args, "\x1f"), os.Stderr)
		if err != nil {
			os.Exit(exitUsage)
		}
		if runWithSignals(d, o) != nil {
			os.Exit(exitFailure)
		}
		os.Exit(exitOK)
	}
	os.Exit(m.Run())
}
