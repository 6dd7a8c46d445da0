package desired

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestHeaderAndProxySecretsFromFiles: a header value from value_file and
// proxy credentials from proxy_auth_file are read into Secrets that never
// print; inline header values keep working.
func TestHeaderAndProxySecretsFromFiles(t *testing.T) {
	const token, auth = "Bearer s3cr3t-token", "probe:pr0xy-pass"
	dir := writeDir(t, map[string]string{"node.yaml": nodeYAML, "token": token + "\n", "proxy-auth": auth,
		"web.yaml": webWithCheck("{type: http, headers: {Authorization: {value_file: token}, X-Probe: seesaw}, " +
			"proxy: 'http://192.0.2.1:3128', proxy_auth_file: proxy-auth}")})
	cfg := mustLoad(t, dir)
	h := cfg.Services[0].Checks[0].HTTP
	want := []Header{{Name: "Authorization", Secret: NewSecret(token)}, {Name: "X-Probe", Value: "seesaw"}}
	if !slices.Equal(h.Headers, want) || h.ProxyAuth.Value() != auth {
		t.Fatalf("headers %d, proxy auth %d bytes: not read as written", len(h.Headers), len(h.ProxyAuth.Value()))
	}
	js, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{fmt.Sprintf("%v %+v %#v", cfg, cfg, cfg), string(js)} {
		if strings.Contains(out, "s3cr3t") || strings.Contains(out, "pr0xy") {
			t.Errorf("secret printed: %s", out)
		}
	}
}

// TestHeaderAndProxySecretErrors: bad value_file and proxy_auth_file uses
// are errors that name the file, never its content.
func TestHeaderAndProxySecretErrors(t *testing.T) {
	tests := []struct{ check, want string }{
		{"{type: http, headers: {Authorization: {value_file: missing}}}",
			"web.yaml:6:60: services[0].checks[0].headers.Authorization.value_file: read secret file DIR/missing: open DIR/missing: no such file or directory"},
		{"{type: http, headers: {Authorization: {file: token}}}",
			`web.yaml:6:48: services[0].checks[0].headers.Authorization.file: unknown key "file"`},
		{"{type: http, headers: {Authorization: {value_file: two-lines}}}",
			"web.yaml:6:47: services[0].checks[0].headers.Authorization: header values cannot contain line breaks"},
		{"{type: http, proxy_auth_file: auth}",
			"web.yaml:6:39: services[0].checks[0].proxy_auth_file: proxy_auth_file needs a proxy"},
		{"{type: http, proxy: 'http://u:p@192.0.2.1:3128', proxy_auth_file: auth}",
			"web.yaml:6:75: services[0].checks[0].proxy_auth_file: the proxy URL already holds credentials; keep them in proxy_auth_file only"},
		{"{type: http, proxy: 'http://192.0.2.1:3128', proxy_auth_file: token}",
			"web.yaml:6:71: services[0].checks[0].proxy_auth_file: proxy auth file DIR/token holds no user:password"},
		{"{type: tcp, proxy_auth_file: auth}",
			`web.yaml:6:38: services[0].checks[0].proxy_auth_file: a tcp check has no "proxy_auth_file"`},
	}
	for _, tc := range tests {
		dir := writeDir(t, map[string]string{"node.yaml": nodeYAML, "token": "t0ken-secret", "auth": "u:pass-secret",
			"two-lines": "a-secret\nb\n", "web.yaml": webWithCheck(tc.check)})
		got := loadErrors(t, dir)
		for i := range got {
			got[i] = replaceDir(got[i], dir)
			if strings.Contains(got[i], "secret") && !strings.Contains(got[i], "secret file") {
				t.Errorf("secret content in %q", got[i])
			}
		}
		if !slices.Contains(got, tc.want) {
			t.Errorf("%s: errors\n%s\nwant\n  %s", tc.check, join(got), tc.want)
		}
	}
}
