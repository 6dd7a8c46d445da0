package daemon

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/internal/statefile"
)

// overridesFile is where drain/enable overrides are kept, in the state
// directory (Options.StateDir), so they survive a restart and the config
// directory may be read-only.
const overridesFile = "overrides.json"

// legacyOverridesFile is where older releases kept the overrides: a hidden
// file in the config directory (desired.Load ignores hidden files). It is
// moved to the state directory once (migrateOverrides).
const legacyOverridesFile = ".seesaw-overrides.json"

// overrides are the runtime drain/enable decisions: backends drained by
// hand, as "ADDR" (every port) or "ADDR:PORT".
type overrides struct {
	Drained []string `json:"drained"`
}

// ParseBackendRef checks a backend reference (the BACKEND argument of drain
// and enable): an address or address:port, returned in canonical form.
func ParseBackendRef(s string) (string, error) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.String(), nil
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return a.String(), nil
	}
	return "", fmt.Errorf("backend %q: want ADDRESS or ADDRESS:PORT", s)
}

// drain adds ref; enable removes it. Both report whether anything changed.
func (o *overrides) drain(ref string) bool {
	if slices.Contains(o.Drained, ref) {
		return false
	}
	o.Drained = append(o.Drained, ref)
	slices.Sort(o.Drained)
	return true
}

func (o *overrides) enable(ref string) bool {
	i := slices.Index(o.Drained, ref)
	if i < 0 {
		return false
	}
	o.Drained = slices.Delete(o.Drained, i, i+1)
	return true
}

// matches reports whether backend b is drained by hand.
func (o overrides) matches(b desired.Backend) bool {
	for _, r := range o.Drained {
		if r == b.Address.String() || (b.Port != 0 && r == netip.AddrPortFrom(b.Address, b.Port).String()) {
			return true
		}
	}
	return false
}

// applyOverrides returns cfg with the drained backends and fallbacks disabled. cfg's
// slices are shared and read-only: changed services get fresh copies.
func applyOverrides(cfg desired.Config, o overrides) desired.Config {
	if len(o.Drained) == 0 {
		return cfg
	}
	services := slices.Clone(cfg.Services)
	for i, s := range services {
		var backends []desired.Backend
		for j, b := range s.Backends {
			if b.Enabled && o.matches(b) {
				if backends == nil {
					backends = slices.Clone(s.Backends)
				}
				backends[j].Enabled = false
			}
		}
		if backends != nil {
			services[i].Backends = backends
		}
		var fallback []desired.Fallback
		for j, f := range s.Fallback {
			if f.Enabled && o.matches(f.Backend) {
				if fallback == nil {
					fallback = slices.Clone(s.Fallback)
				}
				fallback[j].Enabled = false
			}
		}
		if fallback != nil {
			services[i].Fallback = fallback
		}
	}
	cfg.Services = services
	return cfg
}

// maxOverridesBytes bounds the overrides file read (a few thousand drains).
const maxOverridesBytes = 1 << 20

// readOverrides reads the overrides file at path; a missing file is no
// overrides. An empty, corrupt or special file is an error naming path.
func readOverrides(path string) (overrides, error) {
	var o overrides
	b, err := statefile.Read(path, maxOverridesBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return o, nil
	}
	if err != nil {
		return o, fmt.Errorf("read overrides: %w", err)
	}
	if err := json.Unmarshal(b, &o); err != nil {
		return overrides{}, fmt.Errorf("read overrides %s: %w", path, err)
	}
	for i, r := range o.Drained {
		if o.Drained[i], err = ParseBackendRef(strings.TrimSpace(r)); err != nil {
			return overrides{}, fmt.Errorf("read overrides %s: %w", path, err)
		}
	}
	return o, nil
}

// writeOverrides writes o to path durably (statefile.Write), creating its
// directory (mode 0700) when it does not exist.
func writeOverrides(path string, o overrides) error {
	b, err := json.MarshalIndent(o, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("save overrides: create the state directory: %w", err)
	}
	if err := statefile.Write(path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("save overrides: %w", err)
	}
	return nil
}
