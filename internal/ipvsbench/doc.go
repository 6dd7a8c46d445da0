// Package ipvsbench compares package kernel with other IPVS clients
// (github.com/moby/ipvs, github.com/cloudflare/ipvs) and ipvsadm on the real
// kernel. It is a separate module so that the peers never enter the main
// go.mod; run it in the test VM (see docs/benchmarks.md).
package ipvsbench
