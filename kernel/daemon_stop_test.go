package kernel_test

import (
	"context"
	"testing"
	"time"

	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/kernel/kerneltest"
)

// TestStopDaemonWithoutAck: the kernel sends no acknowledgement when it
// stops a sync thread that had not run yet (kthread_stop's -EINTR); the stop
// still succeeds at once, told by the dump that follows it, and the next
// request on the socket is not confused by it.
func TestStopDaemonWithoutAck(t *testing.T) {
	f := kerneltest.NewIPVS()
	c := dialFake(t, f, kernel.Options{Timeout: 2 * time.Second})
	ctx := context.Background()
	master := kernel.Daemon{State: kernel.DaemonMaster, Interface: "eth0", SyncID: 7}
	if err := c.NewDaemon(ctx, master); err != nil {
		t.Fatal(err)
	}
	f.StopBeforeRun()
	start := time.Now()
	if err := c.DelDaemon(ctx, kernel.DaemonMaster); err != nil {
		t.Fatalf("stop without acknowledgement: %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("stop without acknowledgement took %v: it waited for an ack", d)
	}
	if ds, err := c.Daemons(ctx); err != nil || len(ds) != 0 {
		t.Fatalf("daemons after the stop: %+v, %v", ds, err)
	}
	if err := c.NewDaemon(ctx, master); err != nil {
		t.Fatalf("start after an unacknowledged stop: %v", err)
	}
	if err := c.DelDaemon(ctx, kernel.DaemonMaster); err != nil {
		t.Fatalf("acknowledged stop: %v", err)
	}
	if err := c.DelDaemon(ctx, kernel.DaemonMaster); err == nil {
		t.Fatal("stop of a stopped daemon succeeded")
	}
}
