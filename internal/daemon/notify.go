package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
)

// sdNotify sends state (e.g. "READY=1") to the service manager when the
// daemon runs under systemd with Type=notify, which sets $NOTIFY_SOCKET;
// elsewhere it does nothing. A leading '@' names an abstract socket, which
// Go's unix address handling understands as is.
func sdNotify(state string) error {
	path := os.Getenv("NOTIFY_SOCKET")
	if path == "" {
		return nil
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		return fmt.Errorf("notify service manager at %s: %w", path, err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte(state)); err != nil {
		return fmt.Errorf("notify service manager at %s: %w", path, err)
	}
	return nil
}

// notifyReady tells systemd the daemon is ready once the first valid config
// is in force and the loop has finished its first round (the kernel then
// matches the config), so `systemctl start` returns only after that.
func (w *wiring) notifyReady(ctx context.Context, log *slog.Logger) error {
	select {
	case <-w.ready:
	case <-ctx.Done():
		return nil
	}
	select {
	case <-w.roundDone:
	case <-ctx.Done():
		return nil
	}
	if err := sdNotify("READY=1"); err != nil {
		log.Warn("readiness notification failed", "error", err.Error())
	}
	return nil
}
