package keepalived

import (
	"flag"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/seesaw-lb/seesaw/desired"
)

var randomN = flag.Int("random-n", 400, "how many files TestRandomConfigsValidate generates")

// values are the arguments the generator draws from: good ones and every
// kind of bad one a real file might hold.
var values = []string{"0", "1", "2", "80", "255", "256", "65535", "65536", "-1", "0.005", "0.1", "1.5", "3", "60", "100000", "abc",
	"192.0.2.10", "192.0.2.11", "198.51.100.5", "2001:db8::10", "2001:db8::5", "::", "0.0.0.0", "fe80::1%eth0", "::ffff:192.0.2.10",
	"224.0.0.81", "255.255.255.0", "255.0.255.0", "24", "64", "eth0", "eth1", "bond0.100", "a/b", "averyveryverylongifname",
	"/", "/health", "a b", "200", "200-299", "99", "600", "301-200", "NAT", "DR", "TUN", "nat", "rr", "wlc", "mh", "sh", "xx",
	"TCP", "UDP", "SCTP", "sip", "inet6", "inet", "A", "AAAA", "BOGUS", "example.com", "ex ample", "", "\"quoted\"", "(a|b", "ok|fine", "dev", "dev", "label", "weight", "id", "port", "group"}

// keys per block kind, as the generator nests them.
var keys = map[string][]string{
	"top":       {"global_defs", "vrrp_instance", "vrrp_sync_group", "virtual_server", "virtual_server", "virtual_server"},
	"global":    {"router_id", "vrrp_version", "lvs_sync_daemon", "vrrp_garp_master_delay", "vrrp_garp_master_repeat", "vrrp_garp_interval", "vrrp_garp_master_refresh", "lvs_timeouts"},
	"instance":  {"interface", "virtual_router_id", "priority", "advert_int", "unicast_src_ip", "unicast_peer", "nopreempt", "preempt_delay", "track_interface", "virtual_ipaddress", "virtual_ipaddress_excluded", "garp_master_repeat", "garp_interval", "lvs_sync_daemon_interface", "version"},
	"vs":        {"delay_loop", "lb_algo", "lb_kind", "persistence_timeout", "persistence_granularity", "persistence_engine", "protocol", "ops", "sh-port", "mh-port", "mh-fallback", "quorum", "hysteresis", "ip_family", "alpha", "inhibit_on_failure", "virtualhost", "connect_timeout", "retry", "real_server", "real_server", "real_server", "sorry_server", "sorry_server_inhibit", "sorry_server_lvs_method"},
	"rs":        {"weight", "inhibit_on_failure", "uthreshold", "lthreshold", "lb_kind", "delay_loop", "TCP_CHECK", "HTTP_GET", "SSL_GET", "DNS_CHECK", "PING_CHECK", "UDP_CHECK", "MISC_CHECK"},
	"check":     {"connect_port", "connect_timeout", "retry", "nb_get_retry", "delay_before_retry", "delay_loop", "url", "type", "name", "payload", "require_reply", "virtualhost", "alpha"},
	"url":       {"path", "status_code", "regex", "virtualhost", "digest"},
	"addresses": {"ADDR"},
}

// blockKind is the kind of block a keyword opens ("" for none).
func blockKind(k string) string {
	switch k {
	case "global_defs":
		return "global"
	case "vrrp_instance":
		return "instance"
	case "virtual_server":
		return "vs"
	case "real_server":
		return "rs"
	case "TCP_CHECK", "HTTP_GET", "SSL_GET", "DNS_CHECK", "PING_CHECK", "UDP_CHECK", "MISC_CHECK":
		return "check"
	case "url":
		return "url"
	case "unicast_peer", "virtual_ipaddress", "virtual_ipaddress_excluded", "track_interface", "vrrp_sync_group":
		return "addresses"
	}
	return ""
}

// genBlock writes n random statements of kind.
func genBlock(r *rand.Rand, b *strings.Builder, kind string, depth int) {
	for range 1 + r.IntN(6) {
		k := keys[kind][r.IntN(len(keys[kind]))]
		if k == "ADDR" {
			k = values[r.IntN(len(values))]
			if k == "" {
				k = "192.0.2.10"
			}
		}
		b.WriteString(k)
		args := r.IntN(3)
		switch k {
		case "virtual_server":
			if r.IntN(4) == 0 {
				b.WriteString(" fwmark " + values[r.IntN(8)])
			} else {
				b.WriteString(" " + values[16+r.IntN(10)] + " " + values[r.IntN(8)])
			}
			args = 0
		case "real_server", "sorry_server":
			b.WriteString(" " + values[16+r.IntN(10)] + " " + values[r.IntN(8)])
			args = 0
		}
		for range args {
			if v := values[r.IntN(len(values))]; v != "" {
				b.WriteString(" " + v)
			}
		}
		if bk := blockKind(k); bk != "" && depth < 5 {
			b.WriteString(" {\n")
			genBlock(r, b, bk, depth+1)
			b.WriteString("}\n")
		} else {
			b.WriteString("\n")
		}
	}
}

// TestRandomConfigsValidate generates keepalived files from the grammar of
// the keywords the converter knows, with good and bad values, and checks
// that every conversion passes desired.Load.
func TestRandomConfigsValidate(t *testing.T) {
	n := *randomN
	if testing.Short() {
		n = 50
	}
	converted, services := 0, 0
	for seed := range n {
		r := rand.New(rand.NewPCG(uint64(seed), 7))
		var b strings.Builder
		genBlock(r, &b, "top", 0)
		conf := b.String()
		cfg, err := Parse("/k", Options{Source: MapSource{"/k": conf}})
		if err != nil {
			continue // a generated quote or brace may be unbalanced
		}
		res, err := Convert(cfg, ConvertOptions{})
		if err != nil {
			t.Fatalf("seed %d: convert: %v", seed, err)
		}
		converted++
		services += res.Services
		dir := t.TempDir()
		writeResult(t, dir, res)
		if _, err := desired.Load(dir); err != nil {
			t.Fatalf("seed %d: converted output does not validate: %v\n--- keepalived.conf\n%s--- node.yaml\n%s--- services.yaml\n%s", seed, err, conf, res.NodeYAML, res.ServicesYAML)
		}
	}
	if converted < n/2 || services < n {
		t.Errorf("only %d of %d files converted, with %d services: the generator no longer exercises the converter", converted, n, services)
	}
	t.Logf("%d files converted, %d services, all valid", converted, services)
}
