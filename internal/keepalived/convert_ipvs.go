package keepalived

import "fmt"

// maxLVSTimeout is seesaw's largest IPVS timeout in seconds
// (desired.MaxIPVSTimeout: INT_MAX/HZ at HZ=1000).
const maxLVSTimeout = 2147483

// lvsTimeouts reads global_defs `lvs_timeouts [tcp N] [tcpfin N] [udp N]`
// (seconds, the pairs in any order) into node.ipvs.timeouts.
func (c *converter) lvsTimeouts(k *Stmt) {
	w := k.Args()
	t := c.timeouts
	if t == nil {
		t = &outTimeouts{}
	}
	for i := 0; i < len(w); i += 2 {
		name := w[i]
		var field *string
		switch name {
		case "tcp":
			field = &t.TCP
		case "tcpfin":
			field = &t.TCPFin
		case "udp":
			field = &t.UDP
		default:
			c.note(k.Pos, "lvs_timeouts %s: not a timeout (tcp, tcpfin or udp): not converted", name)
			continue
		}
		if i+1 >= len(w) {
			c.note(k.Pos, "lvs_timeouts %s: no value: not converted", name)
			break
		}
		n, err := parseInt(w[i+1])
		switch {
		case err != nil || n < 0:
			c.note(k.Pos, "lvs_timeouts %s %q: not a number of seconds: not converted", name, w[i+1])
		case n == 0:
			c.note(k.Pos, "lvs_timeouts %s 0: keeps the kernel's value, as seesaw does without node.ipvs.timeouts.%s", name, outTimeoutName(name))
		case n > maxLVSTimeout:
			c.note(k.Pos, "lvs_timeouts %s %d: over seesaw's limit of %ds (the kernel's INT_MAX/HZ): not converted", name, n, maxLVSTimeout)
		default:
			*field = fmt.Sprintf("%ds", n)
		}
	}
	if *t != (outTimeouts{}) {
		c.timeouts = t
	}
}

// outTimeoutName is seesaw's name of a keepalived timeout.
func outTimeoutName(name string) string {
	if name == "tcpfin" {
		return "tcp_fin"
	}
	return name
}
