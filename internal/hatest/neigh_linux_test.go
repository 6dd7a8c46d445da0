package hatest

import (
	"fmt"
	"net/netip"
	"os/exec"
	"strings"
	"time"
)

// gatewayNeighbours says where each backend's neighbour entry for the NAT
// gateway points, against the load balancer that holds the gateway
// address. A backend whose entry names the other load balancer sends its
// NAT replies there; that node holds no connection for them (a new one
// was scheduled on the master) and forwards them un-NATed, from the
// backend's own address, so the client's dials time out until the entry
// moves (a GARP, or the entry's reachable time, 15 to 45 s). stale lists
// those backends.
func (l *lab) gatewayNeighbours() (report string, stale []string) {
	macs := [2]string{}
	for i, ns := range lbNS {
		macs[i] = linkMAC(ns)
	}
	all, _, err := holders(l.readers, []netip.Addr{netip.MustParseAddr(gatewayIP)})
	if err != nil {
		return "gateway holder: " + err.Error(), nil
	}
	holder := -1
	for i := range all {
		if all[i] {
			holder = i
		}
	}
	parts := []string{fmt.Sprintf("gateway %s held by %s", gatewayIP, lbName(holder))}
	for _, ns := range backendNS {
		out, _ := exec.Command("ip", "-n", ns, "neigh", "show", gatewayIP, "dev", "eth0").CombinedOutput()
		mac, state := parseNeigh(string(out))
		at := -1
		for i, m := range macs {
			if m != "" && m == mac {
				at = i
			}
		}
		parts = append(parts, fmt.Sprintf("%s -> %s %s", ns, lbName(at), state))
		if mac != "" && holder >= 0 && at != holder {
			stale = append(stale, ns)
		}
	}
	return strings.Join(parts, ", "), stale
}

func lbName(i int) string {
	if i < 0 {
		return "none"
	}
	return fmt.Sprintf("lb%d", i+1)
}

// linkMAC is the address of eth0 in ns ("" if it cannot be read).
func linkMAC(ns string) string {
	out, err := exec.Command("ip", "-n", ns, "-o", "link", "show", "eth0").CombinedOutput()
	if err != nil {
		return ""
	}
	f := strings.Fields(string(out))
	for i, w := range f {
		if w == "link/ether" && i+1 < len(f) {
			return f[i+1]
		}
	}
	return ""
}

// parseNeigh reads `ip neigh show ADDR dev eth0`: "192.0.2.1 lladdr
// MAC STATE" (or "192.0.2.1 FAILED", or nothing).
func parseNeigh(out string) (mac, state string) {
	f := strings.Fields(out)
	if len(f) == 0 {
		return "", "no entry"
	}
	for i, w := range f {
		if w == "lladdr" && i+1 < len(f) {
			mac = f[i+1]
		}
	}
	return mac, f[len(f)-1]
}

// gatewayWatch samples where be1's neighbour entry for the NAT gateway
// points, every 250 ms, until stop; the result is its timeline of changes
// ("22:34:45.101 lb1 REACHABLE, ...").
type gatewayWatch struct {
	quit chan struct{}
	done chan []string
}

func startGatewayWatch() *gatewayWatch {
	w := &gatewayWatch{quit: make(chan struct{}), done: make(chan []string, 1)}
	macs := [2]string{linkMAC(lbNS[0]), linkMAC(lbNS[1])}
	go func() {
		var line []string
		last := ""
		for {
			out, _ := exec.Command("ip", "-n", backendNS[0], "neigh", "show", gatewayIP, "dev", "eth0").CombinedOutput()
			mac, state := parseNeigh(string(out))
			at := -1
			for i, m := range macs {
				if m != "" && m == mac {
					at = i
				}
			}
			if now := lbName(at) + " " + state; now != last {
				line = append(line, time.Now().Format("15:04:05.000")+" "+now)
				last = now
			}
			select {
			case <-w.quit:
				w.done <- line
				return
			case <-time.After(250 * time.Millisecond):
			}
		}
	}()
	return w
}

func (w *gatewayWatch) stop() []string {
	close(w.quit)
	return <-w.done
}
