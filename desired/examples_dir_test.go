package desired

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// exampleDirs lists every directory under ../examples holding configuration files.
func exampleDirs(t *testing.T) []string {
	t.Helper()
	var dirs []string
	err := filepath.WalkDir("../examples", func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if path == "../examples/ci" {
			return filepath.SkipDir // a CI workflow, not a configuration
		}
		entries, err := os.ReadDir(path)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(entries, func(e fs.DirEntry) bool { return isConfigFile(e.Name()) }) {
			dirs = append(dirs, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

// TestExamples validates every example directory.
func TestExamples(t *testing.T) {
	dirs := exampleDirs(t)
	want := []string{"../examples/checks", "../examples/dr-web/lb1", "../examples/dr-web/lb2",
		"../examples/fwmark", "../examples/ipv6", "../examples/nat", "../examples/tunnel-dsr-checks"}
	for _, w := range want {
		if !slices.Contains(dirs, w) {
			t.Errorf("example %s is missing (found %v)", w, dirs)
		}
	}
	for _, dir := range dirs {
		t.Run(dir, func(t *testing.T) {
			cfg := mustLoad(t, dir)
			if len(cfg.Services) == 0 {
				t.Errorf("%s defines no services", dir)
			}
		})
	}
}

// TestExampleCoverage requires the examples to show every check type, each
// forwarding method, fwmark and IPv6 services, and a VRRP pair.
func TestExampleCoverage(t *testing.T) {
	types := map[CheckType]bool{}
	forwards := map[Forward]bool{}
	var fwmark, ipv6, vrrpPair int
	for _, dir := range exampleDirs(t) {
		cfg := mustLoad(t, dir)
		if cfg.Node.VRRP != nil && len(cfg.Node.VRRP.Peers) > 0 {
			vrrpPair++
		}
		for _, s := range cfg.Services {
			forwards[s.Forward] = true
			if s.Fwmark != 0 {
				fwmark++
			}
			if s.IPv6 {
				ipv6++
			}
			for _, c := range s.Checks {
				types[c.Type] = true
			}
		}
	}
	for _, ct := range []CheckType{CheckICMP, CheckTCP, CheckTLS, CheckUDP, CheckHTTP, CheckHTTPS, CheckDNS, CheckRADIUS} {
		if !types[ct] {
			t.Errorf("no example uses a %s check", ct)
		}
	}
	for _, f := range []Forward{ForwardNAT, ForwardDR, ForwardTunnel} {
		if !forwards[f] {
			t.Errorf("no example forwards with %s", f)
		}
	}
	if fwmark == 0 || ipv6 == 0 || vrrpPair < 2 {
		t.Errorf("fwmark services %d, ipv6 services %d, unicast VRRP nodes %d; want each > 0 (pair: 2)", fwmark, ipv6, vrrpPair)
	}
}
