package daemon

import (
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
// when cfg places the same addresses as the config they were made from
// (desired.SameAddressing).
func (m *vrrpMemo) configs(cfg desired.Config) map[string]vrrp.Config {
	if m.ok && desired.SameAddressing(m.cfg, cfg) {
		m.cfg = cfg
		return m.vcs
	}
	m.cfg, m.vcs, m.ok = cfg, vrrpConfigs(cfg), true
	return m.vcs
}
