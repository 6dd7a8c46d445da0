package vrrp

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

func monoNow() int64 {
	var ts unix.Timespec
	unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return ts.Nano()
}

var stdoutMu sync.Mutex

func emit(m helperMsg) {
	b, _ := json.Marshal(m)
	stdoutMu.Lock()
	defer stdoutMu.Unlock()
	os.Stdout.Write(append(b, '\n'))
}

func fail(err error) {
	emit(helperMsg{Kind: "error", Err: err.Error()})
	os.Exit(3)
}

// TestHelperProcess is not a test: it is the body of the helper processes
// the namespace tests start inside their namespaces.
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv("SEESAW_VRRP_HELPER")
	if mode == "" {
		t.Skip("helper process for the namespace tests; runs only when re-executed by them")
	}
	arg := []byte(os.Getenv("SEESAW_VRRP_ARG"))
	switch mode {
	case "node":
		var cfg Config
		if err := json.Unmarshal(arg, &cfg); err != nil {
			fail(err)
		}
		helperNode(cfg)
	case "inject":
		var in injectArg
		if err := json.Unmarshal(arg, &in); err != nil {
			fail(err)
		}
		helperInject(in)
	case "sendat":
		var cfg Config
		if err := json.Unmarshal(arg, &cfg); err != nil {
			fail(err)
		}
		helperSendAt(cfg)
	case "observe":
		var cfg Config
		if err := json.Unmarshal(arg, &cfg); err != nil {
			fail(err)
		}
		helperObserve(cfg)
	default:
		fail(fmt.Errorf("unknown helper mode %q", mode))
	}
	os.Exit(0)
}

// helperNode runs a node; SIGTERM shuts it down gracefully, SIGUSR1 prints
// its stats, SIGUSR2 asks it to step down. SEESAW_VRRP_TXTIME=any-qdisc
// enables SO_TXTIME without checking the qdisc; startLoad says which
// variables run a load in the process; SEESAW_VRRP_DROP_NICE=1 runs it
// without CAP_SYS_NICE. After the stats of a graceful shutdown it reports
// the process's garbage collection figures.
func helperNode(cfg Config) {
	if os.Getenv("SEESAW_VRRP_DROP_NICE") == "1" {
		fail(reexecWithoutSysNice())
	}
	conn, err := listen(cfg, os.Getenv("SEESAW_VRRP_TXTIME") != "any-qdisc")
	if err != nil {
		fail(err)
	}
	n, err := NewNode(cfg, conn, SystemClock{}, nil)
	if err != nil {
		fail(err)
	}
	startLoad()
	sig := make(chan os.Signal, 4)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGUSR1, syscall.SIGUSR2, sigReconfigure)
	done := make(chan error, 1)
	go func() { done <- n.Run(context.Background()) }()
	emit(helperMsg{Kind: "ready"})
	go func() {
		for e := range n.Events() {
			emit(helperMsg{Kind: "event", State: e.State.String(), Reason: string(e.Reason), Mono: monoNow()})
		}
	}()
	for s := range sig {
		switch s {
		case syscall.SIGUSR1:
			st := n.Stats()
			emit(helperMsg{Kind: "stats", Stats: &st})
		case syscall.SIGUSR2:
			if err := n.StepDown(); err != nil {
				fail(err)
			}
		case sigReconfigure:
			helperReconfigure(n)
		case syscall.SIGTERM:
			n.Shutdown()
			if err := <-done; err != nil {
				fail(err)
			}
			st := n.Stats()
			emit(helperMsg{Kind: "stats", Stats: &st})
			gc := readGCFigures()
			if n.thread != nil {
				ts := n.thread.threadStats()
				gc.GoLate, gc.MaxGoLate = ts.goLate, ts.maxGoLate
			}
			emit(helperMsg{Kind: "gc", GC: &gc})
			return
		}
	}
}

// sigStepDown asks a node helper to step down.
const sigStepDown = syscall.SIGUSR2
