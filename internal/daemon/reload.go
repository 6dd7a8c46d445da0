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
// reported while the last valid one keeps running. A poke re-parses only
// what changed; SIGHUP parses every file again. After each load the
// watcher is told which referenced files (secrets, CA bundles) to watch.
func reloader(ctx context.Context, l *desired.Loader, w *wiring, log *slog.Logger, reload <-chan struct{}, hup <-chan os.Signal,
	watch func(files []string) error) {
	for {
		var answer reloadRequest
		select {
		case <-ctx.Done():
			return
		case <-reload:
		case <-hup:
			log.Info("SIGHUP: reloading configuration")
			l.Forget()
		case answer = <-w.reloads:
			log.Info("apply request: reloading configuration")
			l.Forget()
		}
		start := time.Now()
		cfg, parsed, err := l.Load()
		if werr := watch(l.Referenced()); werr != nil {
			log.Error("watch referenced files", "error", werr.Error())
		}
		if err != nil {
			err = fmt.Errorf("load %s: %w", l.Dir, err)
			w.metrics.reloaded(err)
			w.loop.ConfigError(err)
			answerReload(answer, err)
			continue
		}
		log.Info("configuration loaded", "files", len(cfg.Files), "reparsed", parsed, "services", len(cfg.Services),
			"load_ms", float64(time.Since(start).Microseconds())/1000)
		err = w.configLoaded(cfg)
		w.metrics.reloaded(err)
		if err != nil {
			err = fmt.Errorf("load %s: %w", l.Dir, err)
			w.loop.ConfigError(err)
		}
		answerReload(answer, err)
	}
}

// answerReload tells an apply request (nil: none) how its reload went.
func answerReload(answer reloadRequest, err error) {
	if answer != nil {
		answer <- err // buffered: the request may have given up waiting
	}
}
