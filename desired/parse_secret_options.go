package desired

import (
	"net/url"
	"strings"

	"go.yaml.in/yaml/v3"
)

// headerValue decodes one header's value: a string written inline, or
// `{value_file: PATH}`, a secret read from a file (an Authorization
// header's token, for one).
func (d *decoder) headerValue(n *yaml.Node, path string) Header {
	if n.Kind != yaml.MappingNode {
		return Header{Value: d.str(n, path)}
	}
	var h Header
	found := false
	d.mapping(n, path, func(k string, v *yaml.Node) bool {
		if k != "value_file" {
			return false
		}
		found = true
		h.Secret = d.secretFile(v, key(path, k))
		return true
	})
	if !found && len(n.Content) == 0 {
		d.errorf(n, path, "want a string or {value_file: PATH}")
	}
	return h
}

// proxyAuthFile reads proxy credentials, "user:password", from a file.
func (d *decoder) proxyAuthFile(n *yaml.Node, path string) Secret {
	s := d.secretFile(n, path)
	if !s.IsZero() && !strings.Contains(s.Value(), ":") {
		d.errorf(n, path, "proxy auth file %s holds no user:password", d.configPath(n.Value))
		return Secret{}
	}
	return s
}

// checkProxyAuth requires a proxy without inline credentials next to
// proxy_auth_file.
func (d *decoder) checkProxyAuth(c *Check, n *yaml.Node, path string) {
	if c.HTTP.Proxy == "" {
		d.errorf(n, path, "proxy_auth_file needs a proxy")
		return
	}
	if u, err := url.Parse(c.HTTP.Proxy); err == nil && u.User != nil {
		d.errorf(n, path, "the proxy URL already holds credentials; keep them in proxy_auth_file only")
	}
}
