package main

import (
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/kerneltest"
	"github.com/seesaw-lb/seesaw/reconcile"
	"github.com/seesaw-lb/seesaw/vrrp"
	"strings"
	"testing"
)

// childArgsEnv makes the test binary act as seesaw-reconcile itself, with
// the arguments in the variable (separated by "\x1f"), so tests can run the
// daemon as a real process and kill -9 it.
const childArgsEnv = "SEESAW_TEST_CHILD_ARGS"

// childFakeEnv, set with childArgsEnv, runs the child daemon (`run`) on a
// fake kernel, so the host tests can send it real signals.
const childFakeEnv = "SEESAW_TEST_CHILD_FAKE_KERNEL"

func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv(childArgsEnv); ok && os.Getenv(childFakeEnv) == "1" {
		f := kerneltest.NewIPVS()
		d := deps{
			openKernel: func() (kernel.IPVS, error) { return f.Dial(kernel.Options{}) },
			now:        time.Now, isTerminal: func(io.Writer) bool { return false },
			vips:       func(*slog.Logger) reconcile.VIPManager { return nil },
			listenVRRP: vrrp.Listen,
		}
		os.Exit(runDaemonSignals(d, strings.Split(args, "\x1f"), os.Stdout, os.Stderr))
	}
	if args, ok := os.LookupEnv(childArgsEnv); ok {
		os.Exit(run(strings.Split(args, "\x1f"), os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}
