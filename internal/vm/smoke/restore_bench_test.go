package smoke

import (
	"fmt"
	"strings"
	"testing"
)

// restoreRules renders services x dests rules in ipvsadm's save format:
// services on 192.0.2.10, ports 10000 up, destinations 198.51.100.1 up.
func restoreRules(services, dests int) string {
	var b strings.Builder
	for s := 0; s < services; s++ {
		vip := fmt.Sprintf("192.0.2.10:%d", 10000+s)
		fmt.Fprintf(&b, "-A -t %s -s wrr\n", vip)
		for d := 0; d < dests; d++ {
			fmt.Fprintf(&b, "-a -t %s -r 198.51.100.%d:80 -g -w 1\n", vip, d+1)
		}
	}
	return b.String()
}

// BenchmarkIpvsadmRestore is the VM's baseline figure: a cold ipvsadm -R of
// 1,000 services x 10 destinations (the table is cleared between runs, untimed).
func BenchmarkIpvsadmRestore(b *testing.B) {
	requireVM(b)
	rules := restoreRules(1000, 10)
	clearIPVS(b)
	for b.Loop() {
		run(b, rules, "ipvsadm", "-R")
		b.StopTimer()
		run(b, "", "ipvsadm", "-C")
		b.StartTimer()
	}
}

// BenchmarkIpvsadmSave reads the same table back with ipvsadm -Sn.
func BenchmarkIpvsadmSave(b *testing.B) {
	requireVM(b)
	clearIPVS(b)
	run(b, restoreRules(1000, 10), "ipvsadm", "-R")
	for b.Loop() {
		if got := strings.Count(run(b, "", "ipvsadm", "-Sn"), "\n"); got != 11000 {
			b.Fatalf("ipvsadm -Sn printed %d lines, want 11000", got)
		}
	}
}
