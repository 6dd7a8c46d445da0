package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/seesaw-lb/seesaw/desired"
)

// reloader loads the configuration on every poke and SIGHUP and hands the
// result to the loop: a valid config goes into force, an invalid one is
// reported while the last valid one keeps running.
func reloader(ctx context.Context, l *desired.Loader, w *wiring, log *slog.Logger, reload <-chan struct{}, hup <-chan os.Signal) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-reload:
		case <-hup:
			log.Info("SIGHUP: reloading configuration")
		}
		start := time.Now()
		cfg, parsed, err := l.Load()
		if err != nil {
			w.metrics.reloaded(err)
			w.loop.ConfigError(fmt.Errorf("load %s: %w", l.Dir, err))
			continue
		}
		log.Info("configuration loaded", "files", len(cfg.Files), "reparsed", parsed, "services", len(cfg.Services),
			"load_ms", float64(time.Since(start).Microseconds())/1000)
		err = w.configLoaded(cfg)
		w.metrics.reloaded(err)
		if err != nil {
			w.loop.ConfigError(fmt.Errorf("load %s: %w", l.Dir, err))
		}
	}
}
