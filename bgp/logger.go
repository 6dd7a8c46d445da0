package bgp

import (
	"context"
	"log/slog"
)

// minLevel drops records below its level: GoBGP logs every FSM step at
// info, which would drown the daemon's own log.
type minLevel struct {
	slog.Handler
	level slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.level && h.Handler.Enabled(ctx, l)
}

func (h minLevel) WithAttrs(as []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(as), h.level}
}

func (h minLevel) WithGroup(name string) slog.Handler {
	return minLevel{h.Handler.WithGroup(name), h.level}
}

// gobgpLogger is the logger handed to GoBGP: warnings and errors only.
func gobgpLogger(log *slog.Logger) *slog.Logger {
	return slog.New(minLevel{log.With("component", "gobgp").Handler(), slog.LevelWarn})
}
