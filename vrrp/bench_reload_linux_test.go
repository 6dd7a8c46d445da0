package vrrp

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/seesaw-lb/seesaw/desired"
)

// reloadFiles is how many files the reload load's services are split
// over, as an operator splits a large configuration.
const reloadFiles = 10

// writeReloadConfig writes a configuration of n services (4 backends and a
// tcp check each) under dir; edit changes one backend's weight, so every
// rewrite is a different configuration.
func writeReloadConfig(dir string, n, edit int) error {
	node := "node: {name: lb1, interface: eth0, scope: {prefixes: [198.18.0.0/15]}}\n"
	if err := os.WriteFile(filepath.Join(dir, "node.yaml"), []byte(node), 0o644); err != nil {
		return err
	}
	per := (n + reloadFiles - 1) / reloadFiles
	for f := range reloadFiles {
		var b strings.Builder
		b.WriteString("services:\n")
		for i := f * per; i < min(n, (f+1)*per); i++ {
			fmt.Fprintf(&b, "  - name: s%05d\n    vip: 198.18.%d.%d\n    ports: [{proto: tcp, port: 80}]\n", i, i/250, 1+i%250)
			b.WriteString("    checks: [{type: tcp, interval: 1s, timeout: 500ms}]\n    backends:\n")
			for j := range 4 {
				w := 1
				if i == edit%n && j == 0 {
					w = 2 + edit%50
				}
				fmt.Fprintf(&b, "      - {address: 198.19.%d.%d, port: 8080, weight: %d}\n", (i*4+j)/250%256, 1+(i*4+j)%250, w)
			}
		}
		tmp := filepath.Join(dir, fmt.Sprintf(".s%02d.tmp", f))
		if err := os.WriteFile(tmp, []byte(b.String()), 0o644); err != nil {
			return err
		}
		if err := os.Rename(tmp, filepath.Join(dir, fmt.Sprintf("s%02d.yaml", f))); err != nil {
			return err
		}
	}
	return nil
}

// reloadLoad rewrites and loads a configuration of n services every period
// for at most d, keeping the last one loaded alive as the daemon does:
// the allocation of a configuration reload in the same process.
func reloadLoad(n int, period, d time.Duration) error {
	dir, err := os.MkdirTemp("", "seesaw-vrrp-reload-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var cur desired.Config
	tick := time.NewTicker(period)
	defer tick.Stop()
	for i, end := 0, time.Now().Add(d); time.Now().Before(end); i++ {
		if err := writeReloadConfig(dir, n, i); err != nil {
			return fmt.Errorf("write reload config: %w", err)
		}
		cfg, err := desired.Load(dir)
		if err != nil {
			return fmt.Errorf("load reload config: %w", err)
		}
		cur = cfg
		<-tick.C
	}
	_ = cur
	return nil
}
