package desired

import (
	"regexp"
	"time"

	"go.yaml.in/yaml/v3"
)

// checkTypes are the check types, for error messages.
var checkTypes = []string{"icmp", "tcp", "tls", "udp", "http", "https", "dns", "radius"}

// commonCheckKeys are the keys every check type takes.
var commonCheckKeys = []string{"name", "type", "port", "mode", "interval", "timeout",
	"fast_interval", "down_interval", "rise", "fall", "initial"}

// checkKeys are the type-specific keys each check type takes.
var checkKeys = map[CheckType][]string{
	CheckICMP:   {},
	CheckTCP:    {"send", "expect", "half_open"},
	CheckTLS:    {"send", "expect", "tls"},
	CheckUDP:    {"send", "expect"},
	CheckHTTP:   {"method", "path", "host", "headers", "proxy", "proxy_auth_file", "reuse_connections", "expect"},
	CheckHTTPS:  {"method", "path", "host", "headers", "proxy", "proxy_auth_file", "reuse_connections", "expect", "tls"},
	CheckDNS:    {"query_name", "query_type", "transport", "expect"},
	CheckRADIUS: {"user", "password_file", "secret_file", "expect"},
}

// expectKeys are the keys of `expect:` each check type takes.
var expectKeys = map[CheckType][]string{
	CheckTCP:    {"contains", "regexp"},
	CheckTLS:    {"contains", "regexp"},
	CheckUDP:    {"contains", "regexp"},
	CheckHTTP:   {"status", "contains", "regexp"},
	CheckHTTPS:  {"status", "contains", "regexp"},
	CheckDNS:    {"rcode", "answers"},
	CheckRADIUS: {"response"},
}

// decodeCheck decodes one check (inline, or shared when shared is true).
func (d *decoder) decodeCheck(n *yaml.Node, path string, shared bool) Check {
	c := defaultCheck()
	c.Source = d.src(n)
	kn := keyNodes{}
	d.mapping(n, path, func(k string, v *yaml.Node) bool {
		kn[k] = v
		return d.checkField(&c, k, v, key(path, k))
	})
	if n.Kind != yaml.MappingNode {
		return c
	}
	if _, ok := kn["type"]; !ok {
		d.errorf(n, key(path, "type"), "missing: one of %v", checkTypes)
	}
	if shared && c.Name == "" {
		d.errorf(n, key(path, "name"), "missing: a shared check needs a name services use it by")
	}
	if c.Type != "" {
		d.checkTypeKeys(&c, path, kn)
	}
	checkDerivedDefaults(&c, kn)
	d.checkTiming(&c, path, kn)
	return c
}

// checkField decodes one key of a check; false means an unknown key.
func (d *decoder) checkField(c *Check, k string, v *yaml.Node, p string) bool {
	switch k {
	case "name":
		c.Name = d.name(v, p)
	case "type":
		c.Type = CheckType(d.oneOf(v, p, checkTypes...))
	case "port":
		c.Port = d.port(v, p)
	case "mode":
		c.Mode = CheckMode(d.oneOf(v, p, "plain", "dsr", "tunnel"))
	case "interval":
		c.Interval = d.duration(v, p)
	case "timeout":
		c.Timeout = d.duration(v, p)
	case "fast_interval":
		c.FastInterval = d.duration(v, p)
	case "down_interval":
		c.DownInterval = d.duration(v, p)
	case "rise":
		r, _ := d.integer(v, p, 1, maxRiseFall)
		c.Rise = int(r)
	case "fall":
		f, _ := d.integer(v, p, 1, maxRiseFall)
		c.Fall = int(f)
	case "initial":
		c.InitialUp = d.oneOf(v, p, "up", "down") != "down"
	case "send":
		c.Send = d.str(v, p)
	case "half_open":
		c.HalfOpen = d.boolean(v, p)
	case "expect":
		c.Expect = d.decodeExpect(v, p)
	case "tls":
		c.TLS = d.decodeTLS(v, p)
	default:
		return d.checkTypeField(c, k, v, p)
	}
	return true
}

// checkTypeField decodes the http, dns and radius keys of a check.
func (d *decoder) checkTypeField(c *Check, k string, v *yaml.Node, p string) bool {
	switch k {
	case "method":
		c.HTTP.Method = d.httpMethod(v, p)
	case "path":
		c.HTTP.Path = d.httpPath(v, p)
	case "host":
		c.HTTP.Host = d.hostName(v, p)
	case "headers":
		c.HTTP.Headers = d.decodeHeaders(v, p)
	case "proxy":
		c.HTTP.Proxy = d.proxyURL(v, p)
	case "proxy_auth_file":
		c.HTTP.ProxyAuth = d.proxyAuthFile(v, p)
	case "reuse_connections":
		c.HTTP.ReuseConnections = d.boolean(v, p)
	case "query_name":
		c.DNS.Name = d.dnsName(v, p)
	case "query_type":
		c.DNS.Type = d.oneOf(v, p, dnsTypes...)
	case "transport":
		c.DNS.Transport = Protocol(d.oneOf(v, p, "udp", "tcp"))
	case "user":
		c.RADIUS.User = d.str(v, p)
	case "password_file":
		c.RADIUS.Password = d.secretFile(v, p)
	case "secret_file":
		c.RADIUS.Secret = d.secretFile(v, p)
	default:
		return false
	}
	return true
}

// maxRiseFall bounds rise and fall.
const maxRiseFall = 1000

// requiredCheckKeys are the keys a check type cannot do without.
func requiredCheckKeys(t CheckType) []string {
	switch t {
	case CheckUDP:
		return []string{"send"}
	case CheckDNS:
		return []string{"query_name"}
	case CheckRADIUS:
		return []string{"user", "password_file", "secret_file"}
	}
	return nil
}

// checkTypeKeys rejects keys that the check's type does not take and
// requires the ones it needs.
func (d *decoder) checkTypeKeys(c *Check, path string, kn keyNodes) {
	allowed := checkKeys[c.Type]
	for k, v := range kn {
		if !contains(commonCheckKeys, k) && !contains(allowed, k) {
			d.errorf(v, key(path, k), "a %s check has no %q", c.Type, k)
		}
	}
	if e, ok := kn["expect"]; ok && e.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(e.Content); i += 2 {
			if k := e.Content[i].Value; !contains(expectKeys[c.Type], k) {
				d.errorf(e.Content[i], key(path, "expect."+k), "a %s check has no expect.%s", c.Type, k)
			}
		}
	}
	for _, k := range requiredCheckKeys(c.Type) {
		if _, ok := kn[k]; !ok {
			d.errorf(c.sourceNode(), key(path, k), "missing: a %s check needs %s", c.Type, k)
		}
	}
	if a, ok := kn["proxy_auth_file"]; ok && contains(allowed, "proxy_auth_file") {
		d.checkProxyAuth(c, a, key(path, "proxy_auth_file"))
	}
	if h, ok := kn["half_open"]; ok && c.HalfOpen {
		_, send := kn["send"]
		_, expect := kn["expect"]
		if send || expect {
			d.errorf(h, key(path, "half_open"), "a half-open tcp check only sees the handshake: it cannot send or expect")
		}
		if c.Mode != ModePlain {
			d.errorf(h, key(path, "half_open"), "a half-open check must be plain: %s checks connect through IPVS", c.Mode)
		}
	}
	if c.Type == CheckICMP {
		if p, ok := kn["port"]; ok {
			d.errorf(p, key(path, "port"), "an icmp check has no port")
		}
		if m, ok := kn["mode"]; ok && c.Mode != ModePlain {
			d.errorf(m, key(path, "mode"), "an icmp check can only be plain")
		}
	}
}

// sourceNode is a node placed at the check, for errors about missing keys.
func (c *Check) sourceNode() *yaml.Node {
	return &yaml.Node{Line: c.Source.Line, Column: c.Source.Col}
}

// checkTiming checks intervals, timeout and regular expressions.
func (d *decoder) checkTiming(c *Check, path string, kn keyNodes) {
	for _, k := range []string{"interval", "fast_interval", "down_interval"} {
		if v, ok := kn[k]; ok && *c.interval(k) < minCheckInterval {
			d.errorf(v, key(path, k), "must be at least %s", minCheckInterval)
		}
	}
	if v, ok := kn["timeout"]; ok && c.Timeout <= 0 {
		d.errorf(v, key(path, "timeout"), "must be positive")
	}
	if c.Timeout > c.Interval && c.Interval > 0 {
		d.errorf(kn.at("timeout", c.sourceNode()), key(path, "timeout"),
			"timeout %s is longer than interval %s", c.Timeout, c.Interval)
	}
	if c.Expect.Regexp != "" {
		if _, err := regexp.Compile(c.Expect.Regexp); err != nil {
			d.errorf(kn.at("expect", c.sourceNode()), key(path, "expect.regexp"), "bad regular expression: %v", err)
		}
	}
}

// interval returns the interval field named k.
func (c *Check) interval(name string) *time.Duration {
	switch name {
	case "fast_interval":
		return &c.FastInterval
	case "down_interval":
		return &c.DownInterval
	}
	return &c.Interval
}

// contains reports whether list holds s.
func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
