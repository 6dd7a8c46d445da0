package reconcile_test

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel"
	"github.com/seesaw-lb/seesaw/reconcile"
)

// Compute plans a config against an empty kernel table: the service and its
// destinations are added, and the VIP is the master's to hold.
func ExampleCompute() {
	dir, err := os.MkdirTemp("", "seesaw-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	config := `node: {name: lb1, interface: eth1}
services:
  - name: web
    vip: 192.0.2.10
    ports: [{proto: tcp, port: 80}]
    backends:
      - {address: 198.51.100.21, weight: 10}
      - {address: 198.51.100.22, weight: 10, enabled: false}
`
	if err := os.WriteFile(filepath.Join(dir, "lb.yaml"), []byte(config), 0o600); err != nil {
		panic(err)
	}
	cfg, err := desired.Load(dir)
	if err != nil {
		panic(err)
	}

	out := reconcile.Compute(kernel.Snapshot{}, reconcile.Inputs{Config: cfg, Master: true, Now: time.Now()})
	if err := reconcile.RenderText(os.Stdout, out.Plan, false); err != nil {
		panic(err)
	}
	for _, a := range out.Target.Addresses {
		fmt.Println("vip", a.Prefix, "on", a.Interface)
	}
	// Output:
	// + service tcp/192.0.2.10:80 wlc
	// + destination 198.51.100.21:80 in tcp/192.0.2.10:80 weight 10 forward nat
	// + destination 198.51.100.22:80 in tcp/192.0.2.10:80 weight 0 forward nat (disabled)
	// Plan: services 1 to add, 0 to change, 0 to delete; destinations 2 to add, 0 to change, 0 to delete.
	// vip 192.0.2.10/32 on eth1
}
