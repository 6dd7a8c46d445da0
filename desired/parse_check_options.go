package desired

import (
	"bytes"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// dnsTypes are the query types a dns check may ask for.
var dnsTypes = []string{"A", "AAAA", "CNAME", "MX", "NS", "PTR", "SOA", "SRV", "TXT", "CAA"}

// dnsRcodes are the response codes a dns check may expect.
var dnsRcodes = []string{"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"}

// decodeExpect decodes `expect:`; which keys apply is checked by checkTypeKeys.
func (d *decoder) decodeExpect(n *yaml.Node, path string) Expect {
	var e Expect
	d.mapping(n, path, func(k string, v *yaml.Node) bool {
		p := key(path, k)
		switch k {
		case "contains":
			e.Contains = d.str(v, p)
		case "regexp":
			e.Regexp = d.str(v, p)
		case "status":
			e.Status = d.decodeStatus(v, p)
		case "rcode":
			e.Rcode = d.oneOf(v, p, dnsRcodes...)
		case "answers":
			e.Answers = d.strings(v, p)
			slices.Sort(e.Answers)
		case "response":
			e.Response = d.oneOf(v, p, "accept", "reject", "challenge")
		default:
			return false
		}
		return true
	})
	return e
}

// decodeStatus decodes HTTP statuses: codes (200) and ranges ("200-299").
func (d *decoder) decodeStatus(n *yaml.Node, path string) []StatusRange {
	var out []StatusRange
	d.sequence(n, path, func(i int, v *yaml.Node) {
		p := index(path, i)
		if !d.scalar(v, p, "a status code or range") {
			return
		}
		first, last, isRange := strings.Cut(v.Value, "-")
		if !isRange {
			last = first
		}
		a, err1 := strconv.Atoi(strings.TrimSpace(first))
		b, err2 := strconv.Atoi(strings.TrimSpace(last))
		if err1 != nil || err2 != nil || a < 100 || b > 599 || b < a {
			d.errorf(v, p, "%q is not a status code or range within 100-599", v.Value)
			return
		}
		out = append(out, StatusRange{First: a, Last: b})
	})
	return out
}

// decodeTLS decodes `tls: {server_name, ca_file, verify}`.
func (d *decoder) decodeTLS(n *yaml.Node, path string) TLSOptions {
	t := defaultTLS()
	d.mapping(n, path, func(k string, v *yaml.Node) bool {
		p := key(path, k)
		switch k {
		case "server_name":
			t.ServerName = d.hostName(v, p)
		case "ca_file":
			t.CAFile = d.caFile(v, p)
		case "verify":
			t.Verify = d.boolean(v, p)
		default:
			return false
		}
		return true
	})
	return t
}

// decodeHeaders decodes `headers: {Name: value}`, sorted by name.
func (d *decoder) decodeHeaders(n *yaml.Node, path string) []Header {
	var out []Header
	d.mapping(n, path, func(k string, v *yaml.Node) bool {
		p := key(path, k)
		if !isToken(k) || strings.EqualFold(k, "host") {
			d.errorf(v, p, "%q is not a header name here (use host: for Host)", k)
			return true
		}
		h := d.headerValue(v, p)
		if strings.ContainsAny(h.Value, "\r\n") || strings.ContainsAny(h.Secret.Value(), "\r\n") {
			d.errorf(v, p, "header values cannot contain line breaks")
			return true
		}
		h.Name = k
		out = append(out, h)
		return true
	})
	slices.SortFunc(out, func(a, b Header) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// isToken reports whether s is an HTTP token (RFC 9110).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r > 126 || r <= 32 || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r) {
			return false
		}
	}
	return true
}

// httpMethod decodes an HTTP method (an upper-case token).
func (d *decoder) httpMethod(n *yaml.Node, path string) string {
	s := d.str(n, path)
	if s != "" && (!isToken(s) || strings.ToUpper(s) != s) {
		d.errorf(n, path, "%q is not an HTTP method (like GET, HEAD)", s)
		return ""
	}
	return s
}

// httpPath decodes a request path starting with "/".
func (d *decoder) httpPath(n *yaml.Node, path string) string {
	s := d.str(n, path)
	if s != "" && (!strings.HasPrefix(s, "/") || strings.ContainsAny(s, " \t\r\n")) {
		d.errorf(n, path, "%q is not a request path (starts with /, no spaces)", s)
		return ""
	}
	return s
}

// hostName decodes a host name (or address) for a Host header or SNI.
func (d *decoder) hostName(n *yaml.Node, path string) string {
	s := d.str(n, path)
	if s != "" && (len(s) > 253 || strings.ContainsAny(s, " \t\r\n/")) {
		d.errorf(n, path, "%q is not a host name", s)
		return ""
	}
	return s
}

// proxyURL decodes an http:// or https:// proxy URL.
func (d *decoder) proxyURL(n *yaml.Node, path string) string {
	s := d.str(n, path)
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		d.errorf(n, path, "%q is not an http:// or https:// proxy URL", s)
		return ""
	}
	return s
}

// dnsName decodes a query name, made fully qualified.
func (d *decoder) dnsName(n *yaml.Node, path string) string {
	s := d.str(n, path)
	if s == "" {
		return ""
	}
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	ok := len(s) <= 254
	for _, l := range strings.Split(strings.TrimSuffix(s, "."), ".") {
		ok = ok && (s == "." || len(l) > 0 && len(l) <= 63) && !strings.ContainsAny(l, " \t\r\n")
	}
	if !ok {
		d.errorf(n, path, "%q is not a domain name", n.Value)
		return ""
	}
	return s
}

// configPath resolves a path written in a file relative to the config directory.
func (d *decoder) configPath(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(d.dir, p)
}

// caFile decodes a CA bundle path and checks that it holds a PEM certificate.
func (d *decoder) caFile(n *yaml.Node, path string) string {
	s := d.str(n, path)
	if s == "" {
		return ""
	}
	full := d.configPath(s)
	data, err := d.read(full)
	if err != nil {
		d.errorf(n, path, "read CA file %s: %v", full, err)
		return ""
	}
	if !bytes.Contains(data, []byte("-----BEGIN CERTIFICATE-----")) {
		d.errorf(n, path, "CA file %s holds no PEM certificate", full)
		return ""
	}
	return full
}

// secretFile reads a secret from a file; its content never appears in errors.
func (d *decoder) secretFile(n *yaml.Node, path string) Secret {
	s := d.str(n, path)
	if s == "" {
		return Secret{}
	}
	full := d.configPath(s)
	data, err := d.read(full)
	if err != nil {
		d.errorf(n, path, "read secret file %s: %v", full, err)
		return Secret{}
	}
	v := strings.TrimSuffix(strings.TrimSuffix(string(data), "\n"), "\r")
	if v == "" {
		d.errorf(n, path, "secret file %s is empty", full)
		return Secret{}
	}
	return NewSecret(v)
}
