package reconcile

import (
	"context"
	"fmt"
)

// SettingCounts count node-setting ops by kind.
type SettingCounts struct {
	Timeouts int // SetTimeout
	Sysctls  int // SetSysctl
}

// Total is the sum over the kinds.
func (c SettingCounts) Total() int { return c.Timeouts + c.Sysctls }

func (c *SettingCounts) add(k SettingKind) {
	switch k {
	case SetTimeout:
		c.Timeouts++
	case SetSysctl:
		c.Sysctls++
	}
}

func (c *SettingCounts) plus(o SettingCounts) {
	c.Timeouts += o.Timeouts
	c.Sysctls += o.Sysctls
}

// syncSettings keeps the node settings of the config in force (after the
// IPVS plan and the VIPs: a failure here never holds them up). Each op is
// logged and counted; the error fails the round, which retries with the
// loop's backoff.
func (l *Loop) syncSettings(ctx context.Context, st *Status) error {
	if l.o.Settings == nil {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err // an interrupted round: the next one syncs them
	}
	res, err := l.o.Settings.Sync(ctx, l.cfg.Node.IPVS)
	for _, r := range res {
		st.LastPlan = append(st.LastPlan, "~ "+r.Op.String())
		if r.Err != nil {
			st.SettingsFailed.add(r.Op.Kind)
			l.o.Log.Error("node setting failed", "op", r.Op.String(), "error", r.Err.Error())
			continue
		}
		st.SettingsApplied.add(r.Op.Kind)
		l.o.Log.Info("node setting applied", "op", r.Op.String())
	}
	if err != nil {
		return fmt.Errorf("node settings: %w", err)
	}
	return nil
}

// rereadSettings makes the next round read the node settings again (a
// resync: they may have been changed by hand).
func (l *Loop) rereadSettings() {
	if l.o.Settings != nil {
		l.o.Settings.Reread()
	}
}

// addSettings copies a round's setting counts into the status.
func (s *Status) addSettings(round *Status) {
	s.SettingsApplied, s.SettingsFailed = round.SettingsApplied, round.SettingsFailed
	s.SettingsAppliedTotal.plus(round.SettingsApplied)
	s.SettingsFailedTotal.plus(round.SettingsFailed)
}
