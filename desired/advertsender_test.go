package desired

import (
	"strings"
	"testing"
)

func TestAdvertSenderDecoded(t *testing.T) {
	for _, c := range []struct {
		yaml, want string
	}{{"  vrrp: {vrid: 1}\n", ""}, {"  vrrp: {vrid: 1, advert_sender: process}\n", "process"},
		{"  vrrp: {vrid: 1, advert_sender: thread}\n", "thread"}, {"  vrrp: {vrid: 1, advert_sender: runtime}\n", "runtime"}} {
		cfg := mustLoad(t, writeDir(t, map[string]string{"node.yaml": nodeYAML + c.yaml}))
		if got := cfg.Node.VRRP.AdvertSender; got != c.want {
			t.Errorf("%q: advert_sender decoded as %q, want %q", c.yaml, got, c.want)
		}
	}
}

// TestAdvertSenderRejected: anything else is an error at the value's
// file:line:col naming the choices.
func TestAdvertSenderRejected(t *testing.T) {
	for _, v := range []string{"kernel", "Process", "1", "[process]"} {
		_, err := Load(writeDir(t, map[string]string{"node.yaml": nodeYAML + "  vrrp: {vrid: 1, advert_sender: " + v + "}\n"}))
		if err == nil || !strings.Contains(err.Error(), "node.yaml:4:") || !strings.Contains(err.Error(), "node.vrrp.advert_sender: ") {
			t.Errorf("advert_sender %s: err = %v, want one at node.yaml:4 naming node.vrrp.advert_sender", v, err)
		}
	}
}
