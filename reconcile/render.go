package reconcile

import (
	"fmt"
	"io"
	"strings"

	"github.com/seesaw-lb/seesaw/kernel"
)

// ANSI colours of the human diff.
const (
	colorAdd    = "\x1b[32m"
	colorChange = "\x1b[33m"
	colorDelete = "\x1b[31m"
	colorReset  = "\x1b[0m"
)

// RenderText writes the plan as a human diff, one line per step, then a
// summary line; color adds ANSI colours (for a terminal).
func RenderText(w io.Writer, p Plan, color bool) error {
	var b strings.Builder
	for i := range p.Steps {
		line := StepLine(p.Steps[i])
		if color {
			line = colorOf(p.Steps[i].Op.Kind) + line + colorReset
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	if p.Held {
		b.WriteString("HELD BACK: " + p.HeldReason + "\n")
		for i := range p.HeldSteps {
			line := heldLine(p.HeldSteps[i])
			if color {
				line = colorOf(p.HeldSteps[i].Op.Kind) + line + colorReset
			}
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	b.WriteString(Summary(p) + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func colorOf(k kernel.OpKind) string {
	switch k {
	case kernel.AddService, kernel.AddDestination:
		return colorAdd
	case kernel.DeleteService, kernel.DeleteDestination:
		return colorDelete
	}
	return colorChange
}

// StepLine renders one step, e.g. "+ service tcp/192.0.2.10:80 wrr" or
// "~ destination 198.51.100.21:80 in tcp/192.0.2.10:80 weight 10 -> 0 (unhealthy)".
func StepLine(s Step) string {
	line := stepLine(s)
	if s.Check && len(line) > 2 {
		return line[:2] + "check " + line[2:]
	}
	return line
}

// stepLine renders a step without its check-service label.
func stepLine(s Step) string {
	op := s.Op
	svc := op.Service.String()
	switch op.Kind {
	case kernel.AddService:
		return "+ service " + svc + " " + serviceText(op.Service.Family, op.ServiceConfig)
	case kernel.UpdateService:
		return "~ service " + svc + " " + changes(serviceFields(op.Service.Family, s.OldService), serviceFields(op.Service.Family, op.ServiceConfig))
	case kernel.DeleteService:
		return "- service " + svc
	case kernel.AddDestination:
		return fmt.Sprintf("+ destination %s in %s %s%s", op.Destination, svc, destinationText(op.DestinationConfig), reason(s.Reason))
	case kernel.UpdateDestination:
		return fmt.Sprintf("~ destination %s in %s %s%s", op.Destination, svc,
			changes(destinationFields(s.OldDestination), destinationFields(op.DestinationConfig)), reason(s.Reason))
	case kernel.DeleteDestination:
		return fmt.Sprintf("- destination %s from %s%s", op.Destination, svc, reason(s.Reason))
	}
	return "? " + op.String()
}

func reason(r Reason) string {
	if r == ReasonNone || r == ReasonHealthy || r == ReasonCheck {
		return ""
	}
	return " (" + r.String() + ")"
}

// heldLine renders a step the guard held back, e.g.
// "  held: - service tcp/192.0.2.10:80".
func heldLine(s Step) string { return "  held: " + StepLine(s) }

// Summary is the closing line: how many services and destinations are
// added, changed and deleted, and how many deletions are held back.
func Summary(p Plan) string {
	c := p.Count()
	if p.Empty() && !p.Held {
		return "No changes: the kernel matches the configuration."
	}
	verb := "Plan"
	if p.Held {
		verb = "Held plan"
	}
	line := fmt.Sprintf("%s: services %d to add, %d to change, %d to delete; destinations %d to add, %d to change, %d to delete",
		verb, c[kernel.AddService], c[kernel.UpdateService], c[kernel.DeleteService],
		c[kernel.AddDestination], c[kernel.UpdateDestination], c[kernel.DeleteDestination])
	if p.Held {
		line += fmt.Sprintf("; %d service deletions held back", len(p.HeldSteps))
	}
	return line + "."
}

// field is one named setting, for "name old -> new" rendering.
type field struct{ name, value string }

func serviceText(f kernel.Family, c kernel.ServiceConfig) string {
	fs := serviceFields(f, c)
	parts := []string{fs[0].value}
	for _, x := range fs[1:] {
		if x.value != "" && x.value != "no" {
			parts = append(parts, x.name+" "+x.value)
		}
	}
	return strings.Join(parts, " ")
}

func serviceFields(f kernel.Family, c kernel.ServiceConfig) []field {
	persist := "no"
	if c.Flags&kernel.FlagPersistent != 0 {
		persist = fmt.Sprintf("%ds/%d", c.Timeout, c.Netmask.Bits(f))
	}
	return []field{
		{"scheduler", c.Scheduler},
		{"persistent", persist},
		{"pe", c.PEName},
		{"flags", flagNames(c.Flags)},
	}
}

func flagNames(f kernel.ServiceFlags) string {
	var out []string
	for _, x := range []struct {
		bit  kernel.ServiceFlags
		name string
	}{{kernel.FlagOnePacket, "one-packet"}, {kernel.FlagSched1, "sched-fallback"}, {kernel.FlagSched2, "sched-port"}, {kernel.FlagSched3, "sched-flag-3"}} {
		if f&x.bit != 0 {
			out = append(out, x.name)
		}
	}
	return strings.Join(out, ",")
}

func destinationText(c kernel.DestinationConfig) string {
	var parts []string
	for _, x := range destinationFields(c) {
		if x.value != "" {
			parts = append(parts, x.name+" "+x.value)
		}
	}
	return strings.Join(parts, " ")
}

func destinationFields(c kernel.DestinationConfig) []field {
	fs := []field{{"weight", fmt.Sprint(c.Weight)}, {"forward", c.Forward.String()}}
	if c.UpperThreshold != 0 || c.LowerThreshold != 0 {
		fs = append(fs, field{"thresholds", fmt.Sprintf("%d/%d", c.UpperThreshold, c.LowerThreshold)})
	} else {
		fs = append(fs, field{"thresholds", ""})
	}
	tun := ""
	if c.Forward == kernel.ForwardTunnel {
		tun = fmt.Sprintf("%s:%d:%d", c.TunnelType, c.TunnelPort, c.TunnelFlags)
	}
	return append(fs, field{"tunnel", tun})
}

// changes renders the fields that differ as "name old -> new", comma-separated.
func changes(old, cur []field) string {
	var parts []string
	for i := range cur {
		if old[i].value != cur[i].value {
			parts = append(parts, fmt.Sprintf("%s %s -> %s", cur[i].name, orNone(old[i].value), orNone(cur[i].value)))
		}
	}
	return strings.Join(parts, ", ")
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
