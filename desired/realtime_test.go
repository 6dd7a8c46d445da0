package desired

import (
	"strings"
	"testing"
)

func TestRealtimePriorityDecoded(t *testing.T) {
	for _, c := range []struct {
		yaml string
		want int
	}{{"  vrrp: {vrid: 1}\n", 0}, {"  vrrp: {vrid: 1, realtime_priority: 50}\n", 50}} {
		cfg := mustLoad(t, writeDir(t, map[string]string{"node.yaml": nodeYAML + c.yaml}))
		if got := cfg.Node.VRRP.RealtimePriority; got != c.want {
			t.Errorf("%q: realtime_priority decoded as %d, want %d", c.yaml, got, c.want)
		}
	}
}

func TestRealtimePriorityOutOfRange(t *testing.T) {
	for _, v := range []string{"100", "-1", "high"} {
		_, err := Load(writeDir(t, map[string]string{"node.yaml": nodeYAML + "  vrrp: {vrid: 1, realtime_priority: " + v + "}\n"}))
		if err == nil || !strings.Contains(err.Error(), "node.vrrp.realtime_priority: ") {
			t.Errorf("realtime_priority %s: err = %v, want one naming node.vrrp.realtime_priority", v, err)
		}
	}
}
