package kernel

import (
	"errors"

	"github.com/seesaw-lb/seesaw/kernel/internal/wire"
)

// Sentinel errors; test with errors.Is.
var (
	// ErrFamilyNotFound: the IPVS generic netlink family does not exist,
	// usually because the ip_vs module is not loaded.
	ErrFamilyNotFound   = errors.New("IPVS generic netlink family not found: is the ip_vs kernel module loaded (modprobe ip_vs)?")
	ErrExist            = errors.New("already exists")
	ErrNoService        = errors.New("no such service")
	ErrNoDestination    = errors.New("no such destination")
	ErrNoDaemon         = errors.New("no such sync daemon")
	ErrUnknownScheduler = errors.New("unknown scheduler or persistence engine")
	ErrInvalid          = errors.New("invalid argument")
	ErrRange            = errors.New("weight or threshold out of range")
	ErrFamily           = errors.New("address family not supported by the kernel")
	ErrPermission       = errors.New("permission denied (needs CAP_NET_ADMIN)")
	ErrUncertain        = errors.New("outcome unknown: acknowledgement lost, re-read the kernel")
	ErrClosed           = errors.New("client closed")
	// ErrTimeout: the kernel did not answer within Options.Timeout; what a
	// write did is unknown, so the caller re-reads the table.
	ErrTimeout   = errors.New("no answer from the kernel within the timeout")
	ErrMalformed = wire.ErrMalformed
)
