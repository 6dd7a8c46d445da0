package desired

import (
	"slices"
	"testing"
)

// TestMassDeleteKeys: min_count defaults to DefaultMassDeleteMin, takes a
// non-negative integer and rejects anything else with its position.
func TestMassDeleteKeys(t *testing.T) {
	cfg := mustLoad(t, writeDir(t, map[string]string{"node.yaml": nodeYAML}))
	if g := cfg.Node.MassDelete; g != (MassDeleteGuard{MaxShare: DefaultMassDeleteShare, MinCount: DefaultMassDeleteMin}) {
		t.Fatalf("defaults: %+v", g)
	}
	cfg = mustLoad(t, writeDir(t, map[string]string{"node.yaml": nodeYAML + "  mass_delete: {max_share: 0.2, min_count: 0}\n"}))
	if g := cfg.Node.MassDelete; g != (MassDeleteGuard{MaxShare: 0.2}) {
		t.Fatalf("min_count 0: %+v", g)
	}
	for value, want := range map[string]string{
		"-1":  "node.yaml:4:28: node.mass_delete.min_count: -1 is out of range 0..2147483647",
		"two": `node.yaml:4:28: node.mass_delete.min_count: want an integer, got "two"`,
	} {
		got := loadErrors(t, writeDir(t, map[string]string{"node.yaml": nodeYAML + "  mass_delete: {min_count: " + value + "}\n"}))
		if !slices.Equal(got, []string{want}) {
			t.Errorf("min_count %s: %q, want %q", value, got, want)
		}
	}
}
