package reconcile

import (
	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/kernel/checkpath"
)

// CheckSysctls sets checkpath.AcceptLocalSysctl to 1 while the config has a
// dsr/tunnel check on an IPv4 VIP, and puts back the value it found when none
// remains. Only a change this process made is undone: after a restart a
// value of 1 cannot be told from the operator's own and is left.
type CheckSysctls struct {
	sys   checkpath.Sysctls
	saved string // the value found before this process set 1; "" when not set
}

// NewCheckSysctls returns a CheckSysctls over sys.
func NewCheckSysctls(sys checkpath.Sysctls) *CheckSysctls { return &CheckSysctls{sys: sys} }

// Sync applies or undoes the setting for cfg.
func (c *CheckSysctls) Sync(cfg desired.Config) error {
	need := needsAcceptLocal(cfg)
	switch {
	case need && c.saved == "":
		old, err := c.sys.Get(checkpath.AcceptLocalSysctl)
		if err != nil || old == "1" {
			return err
		}
		if err := c.sys.Set(checkpath.AcceptLocalSysctl, "1"); err != nil {
			return err
		}
		c.saved = old
	case !need && c.saved != "":
		if err := c.sys.Set(checkpath.AcceptLocalSysctl, c.saved); err != nil {
			return err
		}
		c.saved = ""
	}
	return nil
}

// needsAcceptLocal reports whether an IPv4 service has a dsr/tunnel check.
func needsAcceptLocal(cfg desired.Config) bool {
	for i := range cfg.Services {
		if s := &cfg.Services[i]; !s.IPv6 && hasPathCheck(s) {
			return true
		}
	}
	return false
}
