package kernel

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// RenderIPVSADM renders s exactly as `ipvsadm -Sn` prints the same table,
// in ipvsadm's order (address services by family, protocol, address, port;
// then fwmark services by mark; destinations by address and port), so that
// tests can compare the fake, the real kernel and ipvsadm as text.
func RenderIPVSADM(s Snapshot) string {
	svcs := slices.Clone(s.Services)
	slices.SortFunc(svcs, func(a, b Service) int {
		x, y := a.Key, b.Key
		return cmp.Or(cmp.Compare(x.FWMark, y.FWMark), cmp.Compare(x.Family, y.Family),
			cmp.Compare(x.Protocol, y.Protocol), x.Addr.Compare(y.Addr), cmp.Compare(x.Port, y.Port))
	})
	var b strings.Builder
	for _, svc := range svcs {
		name := ruleServiceName(svc.Key)
		b.WriteString(ruleService(name, svc))
		ds := slices.Clone(svc.Destinations)
		slices.SortFunc(ds, func(a, b Destination) int { return CompareDestinationKeys(a.Key, b.Key) })
		for _, d := range ds {
			b.WriteString(ruleDest(name, d))
		}
	}
	return b.String()
}

func ruleServiceName(k ServiceKey) string {
	if k.IsFWMark() {
		if k.Family == IPv6 {
			return fmt.Sprintf("-f %d -6", k.FWMark)
		}
		return fmt.Sprintf("-f %d", k.FWMark)
	}
	sw := map[Protocol]string{TCP: "-t", UDP: "-u", SCTP: "--sctp-service"}[k.Protocol]
	return sw + " " + netip.AddrPortFrom(k.Addr, k.Port).String()
}

// ruleService prints what ipvsadm 1.31's -S prints: scheduler, persistence,
// netmask, PE, one-packet and scheduler flags (not thresholds).
func ruleService(name string, svc Service) string {
	c := svc.Config
	line := fmt.Sprintf("-A %s -s %s", name, c.Scheduler)
	if c.Flags&FlagPersistent != 0 {
		line += fmt.Sprintf(" -p %d", c.Timeout)
		if bits := c.Netmask.Bits(svc.Key.Family); bits != fullBits(svc.Key.Family) {
			line += " -M " + c.Netmask.String(svc.Key.Family)
		}
	}
	if c.PEName != "" {
		line += " --pe " + c.PEName
	}
	if c.Flags&FlagOnePacket != 0 {
		line += " -o"
	}
	if f := c.Flags & (FlagSched1 | FlagSched2 | FlagSched3); f != 0 {
		line += " -b " + schedFlagNames(c.Scheduler, f)
	}
	return line + "\n"
}

func schedFlagNames(sched string, f ServiceFlags) string {
	prefix := "flag-"
	names := []string{"1", "2", "3"}
	if sched == "sh" || sched == "mh" {
		prefix = sched + "-"
		names = []string{"fallback", "port", "flag-3"}
	}
	var out []string
	for i, bit := range []ServiceFlags{FlagSched1, FlagSched2, FlagSched3} {
		if f&bit != 0 {
			out = append(out, prefix+names[i])
		}
	}
	return strings.Join(out, ",")
}

// ruleDest prints what ipvsadm 1.31's -S prints for a destination: no
// thresholds; the tunnel type (and GUE port, checksum flags) for tunnels.
func ruleDest(svcName string, d Destination) string {
	c := d.Config
	line := fmt.Sprintf("-a %s -r %s %s -w %d", svcName, d.Key, fwdSwitch(c.Forward), c.Weight)
	if c.Forward == ForwardTunnel {
		line += " --tun-type " + c.TunnelType.String()
		switch c.TunnelType {
		case TunnelGUE:
			line += fmt.Sprintf(" --tun-port %d", c.TunnelPort) + tunFlagSwitch(c.TunnelFlags)
		case TunnelGRE:
			line += tunFlagSwitch(c.TunnelFlags)
		}
	}
	return line + "\n"
}

func tunFlagSwitch(f TunnelFlags) string {
	switch {
	case f&TunnelRemCsum != 0:
		return " --tun-remcsum"
	case f&TunnelCsum != 0:
		return " --tun-csum"
	}
	return " --tun-nocsum"
}

func fwdSwitch(m ForwardMethod) string {
	switch m {
	case ForwardNAT:
		return "-m"
	case ForwardTunnel:
		return "-i"
	case ForwardLocal, ForwardDirect:
		return "-g"
	}
	return "?"
}
