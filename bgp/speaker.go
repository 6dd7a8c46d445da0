package bgp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/osrg/gobgp/v4/api"
	"github.com/osrg/gobgp/v4/pkg/apiutil"
	"github.com/osrg/gobgp/v4/pkg/server"
)

// Speaker is a running BGP speaker. Its methods are safe for concurrent use.
type Speaker struct {
	cfg Config
	srv *server.BgpServer
	log *slog.Logger

	mu        sync.Mutex
	announced map[netip.Prefix]bool // what the RIB holds
	stopped   bool
}

// Start starts a speaker: the GoBGP server, its global config and every
// peer. It announces nothing until Announce is called.
func Start(ctx context.Context, cfg Config, log *slog.Logger) (*Speaker, error) {
	if log == nil {
		log = slog.Default()
	}
	lvl := &slog.LevelVar{}
	lvl.Set(slog.LevelWarn) // GoBGP logs every FSM step at info
	srv := server.NewBgpServer(server.LoggerOption(gobgpLogger(log), lvl))
	go srv.Serve()
	listen := int32(cfg.ListenPort)
	if listen == 0 {
		listen = -1 // dial out only
	}
	g := &api.Global{Asn: cfg.ASN, RouterId: cfg.RouterID.String(), ListenPort: listen}
	if err := srv.StartBgp(ctx, &api.StartBgpRequest{Global: g}); err != nil {
		srv.Stop()
		return nil, fmt.Errorf("start BGP speaker AS %d router id %s: %w", cfg.ASN, cfg.RouterID, err)
	}
	s := &Speaker{cfg: cfg, srv: srv, log: log, announced: map[netip.Prefix]bool{}}
	for _, p := range cfg.Peers {
		if err := srv.AddPeer(ctx, &api.AddPeerRequest{Peer: apiPeer(p)}); err != nil {
			_ = s.close(ctx)
			return nil, fmt.Errorf("add BGP peer %s AS %d: %w", p.Address, p.ASN, err)
		}
	}
	return s, nil
}

// Announce makes the announced routes exactly prefixes (host routes):
// missing ones are added, the others withdrawn. It returns the first error
// and keeps going past it, so one bad prefix does not hold up the rest.
func (s *Speaker) Announce(prefixes []netip.Prefix) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return errors.New("announce BGP routes: the speaker is stopped")
	}
	want := make(map[netip.Prefix]bool, len(prefixes))
	var errs []error
	for _, p := range prefixes {
		want[p] = true
		if !s.announced[p] {
			errs = append(errs, s.add(p))
		}
	}
	for p := range s.announced {
		if !want[p] {
			errs = append(errs, s.withdraw(p))
		}
	}
	return errors.Join(errs...)
}

// add announces one prefix.
func (s *Speaker) add(p netip.Prefix) error {
	path, err := hostPath(s.cfg.ASN, s.cfg.Attributes, p)
	if err == nil {
		_, err = s.srv.AddPath(apiutil.AddPathRequest{Paths: []*apiutil.Path{path}})
	}
	if err != nil {
		return fmt.Errorf("announce BGP route %s: %w", p, err)
	}
	s.announced[p] = true
	s.log.Info("bgp route announced", "prefix", p)
	return nil
}

// withdraw withdraws one prefix.
func (s *Speaker) withdraw(p netip.Prefix) error {
	path, err := hostPath(s.cfg.ASN, s.cfg.Attributes, p)
	if err == nil {
		err = s.srv.DeletePath(apiutil.DeletePathRequest{Paths: []*apiutil.Path{path}})
	}
	if err != nil {
		return fmt.Errorf("withdraw BGP route %s: %w", p, err)
	}
	delete(s.announced, p)
	s.log.Info("bgp route withdrawn", "prefix", p)
	return nil
}

// Announced returns the announced prefixes, sorted.
func (s *Speaker) Announced() []netip.Prefix {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]netip.Prefix, 0, len(s.announced))
	for p := range s.announced {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b netip.Prefix) int { return a.Addr().Compare(b.Addr()) })
	return out
}

// Stop withdraws every route, waits grace (or until ctx ends) so the
// routers move new flows to other nodes, then closes every session and
// stops the server. It is safe to call more than once.
func (s *Speaker) Stop(ctx context.Context, grace time.Duration) error {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return nil
	}
	werr := s.withdrawAll()
	s.stopped = true
	s.mu.Unlock()
	if grace > 0 {
		s.log.Info("bgp routes withdrawn; waiting before closing the sessions", "grace", grace)
		t := time.NewTimer(grace)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
		}
	}
	return errors.Join(werr, s.close(context.WithoutCancel(ctx)))
}

// withdrawAll withdraws every route; s.mu is held.
func (s *Speaker) withdrawAll() error {
	var errs []error
	for p := range s.announced {
		errs = append(errs, s.withdraw(p))
	}
	return errors.Join(errs...)
}

// close stops the GoBGP server (sending a Cease to every peer) and its
// BFD sockets; GoBGP logs a failure itself.
func (s *Speaker) close(context.Context) error {
	s.srv.Stop()
	return nil
}
