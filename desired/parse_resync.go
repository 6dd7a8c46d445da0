package desired

import "go.yaml.in/yaml/v3"

// MinResyncCPU is the smallest node.resync_cpu: a resync with no CPU would
// never re-read the kernel, and drift would never be repaired.
const MinResyncCPU = 0.001

// resyncCPU decodes node.resync_cpu: a share of one core, MinResyncCPU..1.
func (d *decoder) resyncCPU(n *yaml.Node, path string) float64 {
	before := len(d.errs)
	v := d.share(n, path)
	if len(d.errs) != before {
		return DefaultResyncCPU
	}
	if v < MinResyncCPU {
		d.errorf(n, path, "%v is below the minimum %v: the resync needs some CPU to re-read the kernel and repair drift", v, MinResyncCPU)
		return DefaultResyncCPU
	}
	return v
}
