// Package editbench renders the configuration of the edit-to-kernel
// benchmarks (the VM one in internal/daemon and the in-process one in
// reconcile), so both measure the same files.
package editbench

import (
	"fmt"
	"strings"
)

// File renders services [first, first+n) with 10 backends each, as one
// configuration file; the first backend of service edited gets weight w
// (the others weight 1). Service i is named s%04d and listens on
// 192.0.2.(1+i/250), TCP port 1000+i%250.
func File(first, n, edited, w int) string {
	var b strings.Builder
	b.WriteString("services:\n")
	for i := first; i < first+n; i++ {
		fmt.Fprintf(&b, "  - name: s%04d\n    vip: 192.0.2.%d\n    ports: [{proto: tcp, port: %d}]\n    backends:\n", i, 1+i/250, 1000+i%250)
		for j := range 10 {
			weight := 1
			if i == edited && j == 0 {
				weight = w
			}
			fmt.Fprintf(&b, "      - {address: 198.51.100.%d, weight: %d}\n", 1+j, weight)
		}
	}
	return b.String()
}
