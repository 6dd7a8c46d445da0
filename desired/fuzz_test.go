package desired

import (
	"errors"
	"strings"
	"testing"
)

// fuzzSecret is what every secret file holds during fuzzing; it must never
// appear in an error.
const fuzzSecret = "fuzz-secret-value"

// fuzzRead stands in for the file system: every path holds a secret, except
// paths containing "missing", which do not exist.
func fuzzRead(path string) ([]byte, error) {
	if strings.Contains(path, "missing") {
		return nil, errors.New("no such file")
	}
	return []byte(fuzzSecret + "\n-----BEGIN CERTIFICATE-----\n"), nil
}

// FuzzLoad parses arbitrary bytes as a configuration file next to a valid
// node file and builds the Config: it must never panic, every error must be
// positioned, secrets must never appear in errors, and a valid result must be
// deterministic.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(webWith("weight: 10")))
	f.Add([]byte(webWithCheck("{type: radius, user: u, password_file: pw, secret_file: missing}")))
	f.Add([]byte("services:\n  - &a {name: x}\n  - *a\n"))
	f.Add([]byte("node: {name: lb2, interface: eth1}\n"))
	f.Add([]byte(webWith("weight: 0x50")))
	f.Add([]byte(webWith("weight: 1e20")))
	f.Add([]byte("services:\n  - name: \"w\\e[31m\"\n    vip: 192.0.2.10\n  - name: w\xffb\n"))
	f.Add([]byte(webWithCheck("{type: http, headers: {Authorization: {value_file: tok}, X-A: b}, proxy: 'http://192.0.2.1:3128', proxy_auth_file: auth}")))
	f.Add([]byte(webWithCheck("{type: http, headers: {Authorization: {value_file: missing}, X-B: {}}}")))
	f.Add([]byte("node:\n  name: lb2\n  interface: eth1\n  vrrp_instances: [{name: web, vrid: 61}, {name: db, vrid: 62}]\n" +
		"  notify:\n    - {name: a, on: [master, service_up], run: [/bin/true], instances: [web, db], services: [x]}\n" +
		"    - {name: b, on: [stop], run: [/bin/true], instances: [web, web, '']}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		node := parse("a-node.yaml", []byte(nodeYAML+"  check_fwmarks: 60000-60099\n"), "/cfg", fuzzRead)
		file := parse("fuzz.yaml", data, "/cfg", fuzzRead)
		cfg, err := build([]*parsedFile{node, file})
		if err != nil {
			var es Errors
			if !errors.As(err, &es) || len(es) == 0 {
				t.Fatalf("error %v is not a non-empty Errors", err)
			}
			for _, e := range es {
				if e.File == "" || e.Line < 1 || e.Msg == "" {
					t.Fatalf("unpositioned error %+v", e)
				}
			}
			if strings.Contains(err.Error(), fuzzSecret) {
				t.Fatalf("secret in error: %v", err)
			}
			return
		}
		again, err := build([]*parsedFile{file, parse("a-node.yaml", []byte(nodeYAML+"  check_fwmarks: 60000-60099\n"), "/cfg", fuzzRead)})
		if err != nil || len(again.Services) != len(cfg.Services) {
			t.Fatalf("second build differs: %v", err)
		}
		for i := range cfg.Services {
			if cfg.Services[i].Name != again.Services[i].Name || len(cfg.Services[i].Backends) != len(again.Services[i].Backends) {
				t.Fatalf("service %d differs between builds", i)
			}
		}
	})
}
