package kerneltest

import (
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/seesaw-lb/seesaw/kernel/checkpath"
)

var _ checkpath.Sysctls = (*Sysctls)(nil)

// Sysctls is an in-memory checkpath.Sysctls that behaves as /proc/sys does
// for integer parameters: a name that does not exist (a module not loaded,
// a parameter the kernel was built without) fails with an error matching
// fs.ErrNotExist, a value that is not an integer with EINVAL, and a read
// returns the value as the kernel prints it. FailSet makes writes fail;
// Writes lists the writes that took effect.
type Sysctls struct {
	mu     sync.Mutex
	vals   map[string]string
	fail   map[string]error
	writes []string
}

// NewSysctls returns a fake holding vals (path under /proc/sys -> value).
func NewSysctls(vals map[string]string) *Sysctls {
	return &Sysctls{vals: maps.Clone(vals), fail: map[string]error{}}
}

// IPVSSysctlDefaults are the net/ipv4/vs parameters a fresh network
// namespace has once ip_vs is loaded (built with CONFIG_IP_VS_NFCT, as
// Debian's kernel is), with the kernel's defaults.
var IPVSSysctlDefaults = map[string]string{
	"net/ipv4/vs/conn_reuse_mode":           "1",
	"net/ipv4/vs/conntrack":                 "0",
	"net/ipv4/vs/expire_nodest_conn":        "0",
	"net/ipv4/vs/expire_quiescent_template": "0",
	"net/ipv4/vs/sloppy_sctp":               "0",
	"net/ipv4/vs/sloppy_tcp":                "0",
}

// NewIPVSSysctls returns a fake holding IPVSSysctlDefaults.
func NewIPVSSysctls() *Sysctls { return NewSysctls(IPVSSysctlDefaults) }

// notExist is the error of opening a /proc/sys entry that is not there.
func notExist(name string) error {
	return &fs.PathError{Op: "open", Path: "/proc/sys/" + name, Err: syscall.ENOENT}
}

// Get implements checkpath.Sysctls.
func (f *Sysctls) Get(name string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.vals[name]
	if !ok {
		return "", fmt.Errorf("read sysctl %s: %w", name, notExist(name))
	}
	return v, nil
}

// Set implements checkpath.Sysctls.
func (f *Sysctls) Set(name, value string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.vals[name]; !ok {
		return fmt.Errorf("write sysctl %s=%s: %w", name, value, notExist(name))
	}
	if err := f.fail[name]; err != nil {
		return fmt.Errorf("write sysctl %s=%s: %w", name, value, err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(value))
	if err != nil {
		return fmt.Errorf("write sysctl %s=%s: %w", name, value, syscall.EINVAL)
	}
	f.vals[name] = strconv.Itoa(n)
	f.writes = append(f.writes, name+"="+f.vals[name])
	return nil
}

// FailSet makes every write of name fail with err (nil: succeed again),
// as a read-only /proc/sys or a security module would.
func (f *Sysctls) FailSet(name string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail[name] = err
}

// Writes returns the writes that took effect, "name=value" in order.
func (f *Sysctls) Writes() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.writes)
}
