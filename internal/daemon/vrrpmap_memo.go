package daemon

import (
	"reflect"
	"slices"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/vrrp"
)

// vrrpMemo keeps the virtual routers' settings of the last config, so a
// load that moves no address (a weight, a backend, a scheduler) reuses
// them instead of collecting every service's VIP again. runVRRP's.
type vrrpMemo struct {
	cfg desired.Config
	vcs map[string]vrrp.Config
	ok  bool
}

// configs returns vrrpConfigs(cfg) (read-only): the remembered settings
// when cfg has the same node, floating addresses and, service by service,
// the same VIP and VRRP instance as the config they were made from.
func (m *vrrpMemo) configs(cfg desired.Config) map[string]vrrp.Config {
	if m.ok && vrrpFieldsEqual(m.cfg, cfg) {
		m.cfg = cfg
		return m.vcs
	}
	m.cfg, m.vcs, m.ok = cfg, vrrpConfigs(cfg), true
	return m.vcs
}

// vrrpFieldsEqual reports whether everything vrrpConfigs reads of a and b
// is equal.
func vrrpFieldsEqual(a, b desired.Config) bool {
	if len(a.Services) != len(b.Services) || !slices.Equal(a.Addresses, b.Addresses) || !reflect.DeepEqual(a.Node, b.Node) {
		return false
	}
	for i := range a.Services {
		if x, y := &a.Services[i], &b.Services[i]; x.VIP != y.VIP || x.VRRPInstance != y.VRRPInstance {
			return false
		}
	}
	return true
}
