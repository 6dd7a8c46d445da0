package kernel

import (
	"errors"
	"syscall"
)

// OpError is the failure of one kernel operation: what was being done to
// what (Op, e.g. "add destination 198.51.100.21:80 to service
// tcp/192.0.2.10:80"), the meaning (Err, one of the sentinel errors) and the
// kernel's errno. errors.Is matches both the sentinel and the errno.
type OpError struct {
	Op    string
	Errno syscall.Errno // 0 when the error did not come from the kernel
	Err   error
}

// Error renders "op: meaning".
func (e *OpError) Error() string { return e.Op + ": " + e.Err.Error() }

// Unwrap returns the sentinel and the errno.
func (e *OpError) Unwrap() []error {
	if e.Errno == 0 {
		return []error{e.Err}
	}
	return []error{e.Err, e.Errno}
}

// errnoMeaning maps a kernel errno to words for an op of kind k (0 for
// commands that are not plan ops).
func errnoMeaning(k OpKind, errno syscall.Errno) error {
	switch errno {
	case syscall.EEXIST:
		return ErrExist
	case syscall.ESRCH:
		return ErrNoService
	case syscall.ENOENT:
		switch k {
		case AddService, UpdateService:
			return ErrUnknownScheduler
		case UpdateDestination, DeleteDestination:
			return ErrNoDestination
		}
		return ErrFamilyNotFound
	case syscall.EINVAL:
		return ErrInvalid
	case syscall.ERANGE:
		return ErrRange
	case syscall.EAFNOSUPPORT:
		return ErrFamily
	case syscall.EPERM:
		return ErrPermission
	}
	return errors.New(errno.Error())
}

// kernelError builds the OpError for errno answering op.
func kernelError(op string, k OpKind, errno syscall.Errno) error {
	return &OpError{Op: op, Errno: errno, Err: errnoMeaning(k, errno)}
}
