package daemon

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"

	"github.com/seesaw-lb/seesaw/checks"
	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/reconcile"
)

// checkPlan is the checks engine's input built from a config, with the
// index back from each check's identity to the backends it decides.
type checkPlan struct {
	// Checks go to Engine.Update.
	Checks []checks.Check
	// Backends maps each check Key to the backends whose health it decides.
	// Identical checks of several services share one Key (the engine runs
	// them once) and list every backend here.
	Backends map[checks.Key][]reconcile.BackendKey
	// Needs maps each checked backend to the Keys that must all be up.
	Needs map[reconcile.BackendKey][]checks.Key
	// Initial is each Key's state before its first verdict.
	Initial map[checks.Key]checks.State
	// Skipped lists dsr/tunnel checks without a check-service mark yet.
	Skipped []string
	// Waiting are the backends with such a check, kept only while some
	// backend was adopted down (holdAdopted).
	Waiting map[reconcile.BackendKey]bool
}

// planChecks maps every check of every service onto every enabled and
// disabled backend (a disabled backend's health still shows in status),
// and every fallback's own checks onto that fallback.
// dsr/tunnel checks dial the VIP with the mark of the backend's check
// service from marks (the loop's last round); one without a mark yet is
// skipped, so its backend's health is unknown.
func planChecks(cfg desired.Config, marks reconcile.CheckMarks, io checkIO) (checkPlan, error) {
	p := checkPlan{Backends: map[checks.Key][]reconcile.BackendKey{}, Needs: map[reconcile.BackendKey][]checks.Key{},
		Initial: map[checks.Key]checks.State{}}
	var pos map[checks.Key]int // where each check is in p.Checks, while some backend was adopted down
	if len(io.adopted) > 0 {
		pos, p.Waiting = map[checks.Key]int{}, map[reconcile.BackendKey]bool{}
	}
	for si := range cfg.Services {
		s := &cfg.Services[si]
		for ci := range s.Checks {
			c := &s.Checks[ci]
			spec, err := specOf(*c, io.readFile)
			if err != nil {
				return checkPlan{}, fmt.Errorf("service %s: %s check at %s:%d: %w", s.Name, c.Type, c.Source.File, c.Source.Line, err)
			}
			for bi := range s.Backends {
				if err := p.add(s, &s.Backends[bi], c, spec, marks, io, pos); err != nil {
					return checkPlan{}, err
				}
			}
		}
		for fi := range s.Fallback {
			f := &s.Fallback[fi]
			for ci := range f.Checks {
				c := &f.Checks[ci]
				spec, err := specOf(*c, io.readFile)
				if err != nil {
					return checkPlan{}, fmt.Errorf("service %s: fallback %s: %s check at %s:%d: %w", s.Name, f.Address, c.Type, c.Source.File, c.Source.Line, err)
				}
				if err := p.add(s, &f.Backend, c, spec, marks, io, pos); err != nil {
					return checkPlan{}, err
				}
			}
		}
	}
	if pos != nil {
		markStartDown(&p, pos, io.adopted)
	}
	return p, nil
}

// add maps check c (as spec) of backend or fallback b in service s into p;
// pos is non-nil while some backend was adopted down.
func (p *checkPlan) add(s *desired.Service, b *desired.Backend, c *desired.Check, spec *checks.Spec,
	marks reconcile.CheckMarks, io checkIO, pos map[checks.Key]int) error {
	bk := reconcile.HealthKey(s, b)
	dial, err := reconcile.CheckDialOf(marks, s, b, c, c.DialPort(*s, *b))
	if errors.Is(err, reconcile.ErrNoCheckMark) {
		p.Skipped = append(p.Skipped, err.Error()) // unknown until a round assigns the mark
		if p.Waiting != nil {
			p.Waiting[bk] = true
		}
		return nil
	} else if err != nil {
		return err
	}
	chk := checks.Check{Target: checks.Target{Address: dial.Addr.Addr(), Port: dial.Addr.Port(), Mark: dial.Mark}, Spec: spec}
	if dial.Mark != 0 && io.sourceFor != nil {
		// On the node holding the VIP the kernel would pick the VIP,
		// which the backend drops; without a route the check fails,
		// which is the truth.
		chk.Target.Source, _ = io.sourceFor(b.Address)
	}
	k := chk.Key()
	if _, ok := p.Backends[k]; !ok {
		if pos != nil {
			pos[k] = len(p.Checks)
		}
		p.Checks = append(p.Checks, chk)
		p.Initial[k] = spec.InitialState
	}
	p.Backends[k] = append(p.Backends[k], bk)
	p.Needs[bk] = append(p.Needs[bk], k)
	return nil
}

// checkIO is what planChecks reads from the host: CA bundles named by tls
// checks, the source address towards a backend for dsr/tunnel checks
// (nil: no source bound), and the verdicts read back from the kernel at
// start (reconcile.AdoptedHealth) for backends that have not risen since.
type checkIO struct {
	readFile  func(string) ([]byte, error)
	sourceFor func(netip.Addr) (netip.Addr, error)
	adopted   reconcile.Health
}

// specOf translates one desired check into an engine spec.
func specOf(c desired.Check, readFile func(string) ([]byte, error)) (*checks.Spec, error) {
	s := &checks.Spec{
		Type: checks.Type(c.Type), Interval: c.Interval, Timeout: c.Timeout,
		FastInterval: c.FastInterval, DownInterval: c.DownInterval, Rise: c.Rise, Fall: c.Fall,
		Send: c.Send, HalfOpen: c.HalfOpen,
		Expect: checks.Expect{Contains: c.Expect.Contains, Regexp: c.Expect.Regexp},
	}
	if c.InitialUp {
		s.InitialState = checks.StateUp
	}
	s.TLS = checks.TLSOptions{ServerName: c.TLS.ServerName, SkipVerify: !c.TLS.Verify}
	if c.TLS.CAFile != "" {
		pem, err := readFile(c.TLS.CAFile)
		if err != nil {
			return nil, fmt.Errorf("read CA bundle: %w", err)
		}
		s.TLS.CAPEM = string(pem)
	}
	s.HTTP = checks.HTTPOptions{Method: c.HTTP.Method, Path: c.HTTP.Path, Host: c.HTTP.Host,
		Proxy: proxyWithAuth(c.HTTP.Proxy, c.HTTP.ProxyAuth), ReuseConnections: c.HTTP.ReuseConnections}
	for _, h := range c.HTTP.Headers {
		v := h.Value
		if !h.Secret.IsZero() {
			v = h.Secret.Value()
		}
		s.HTTP.Headers = append(s.HTTP.Headers, checks.Header{Name: h.Name, Value: v})
	}
	for _, r := range c.Expect.Status {
		s.HTTP.Statuses = append(s.HTTP.Statuses, checks.StatusRange(r))
	}
	if c.Type == desired.CheckDNS {
		s.DNS = checks.DNSOptions{Name: c.DNS.Name, Type: c.DNS.Type, Rcode: c.Expect.Rcode,
			Answers: c.Expect.Answers, Transport: string(c.DNS.Transport)}
	}
	if c.Type == desired.CheckRADIUS {
		s.RADIUS = checks.RADIUSOptions{User: c.RADIUS.User, Password: c.RADIUS.Password.Value(),
			Secret: c.RADIUS.Secret.Value(), Expect: c.Expect.Response}
	}
	return s, nil
}

// proxyWithAuth puts the credentials of proxy_auth_file ("user:password")
// into the proxy URL, which the HTTP client sends as Proxy-Authorization.
func proxyWithAuth(proxy string, auth desired.Secret) string {
	u, err := url.Parse(proxy)
	if auth.IsZero() || err != nil {
		return proxy
	}
	user, pass, _ := strings.Cut(auth.Value(), ":")
	u.User = url.UserPassword(user, pass)
	return u.String()
}

// healthOf is the reconcile health map: a checked backend is healthy when
// every check that decides it is up (reconcile.HealthFromChecks). states
// holds the engine's current state per Key; a Key it lacks counts as its
// spec's initial state.
func healthOf(p checkPlan, states map[checks.Key]checks.State) reconcile.Health {
	return reconcile.HealthFromChecks(p.Needs, func(k checks.Key) bool {
		st, ok := states[k]
		if !ok {
			st = p.Initial[k]
		}
		return st == checks.StateUp
	})
}
