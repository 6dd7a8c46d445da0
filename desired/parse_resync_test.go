package desired

import (
	"slices"
	"testing"
)

func TestResyncCPU(t *testing.T) {
	if got := mustLoad(t, writeDir(t, map[string]string{"node.yaml": nodeYAML})).Node.ResyncCPU; got != DefaultResyncCPU {
		t.Errorf("resync_cpu unset: %v, want the default %v", got, DefaultResyncCPU)
	}
	if got := mustLoad(t, writeDir(t, map[string]string{"node.yaml": nodeYAML + "  resync_cpu: 0.2\n"})).Node.ResyncCPU; got != 0.2 {
		t.Errorf("resync_cpu: 0.2 loaded as %v", got)
	}
	for value, want := range map[string]string{
		"0":    "node.yaml:4:15: node.resync_cpu: 0 is below the minimum 0.001: the resync needs some CPU to re-read the kernel and repair drift",
		"1.5":  "node.yaml:4:15: node.resync_cpu: want a number from 0 to 1, got a number",
		"5%":   `node.yaml:4:15: node.resync_cpu: want a number from 0 to 1, got "5%"`,
		"-0.1": "node.yaml:4:15: node.resync_cpu: want a number from 0 to 1, got a number",
	} {
		got := loadErrors(t, writeDir(t, map[string]string{"node.yaml": nodeYAML + "  resync_cpu: " + value + "\n"}))
		if !slices.Equal(got, []string{want}) {
			t.Errorf("resync_cpu: %s: errors %q, want %q", value, got, want)
		}
	}
}
