package wire

import (
	"errors"
	"fmt"

	"github.com/mdlayher/netlink"
)

// ErrMalformed is wrapped by every decoding error: the bytes are not a
// well-formed netlink message or attribute list.
var ErrMalformed = errors.New("malformed netlink message")

// Attrs returns a decoder over b, wrapping its error as ErrMalformed.
func Attrs(b []byte) (*netlink.AttributeDecoder, error) {
	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return ad, nil
}

// AttrError wraps a decoder's error as ErrMalformed, naming what was
// decoded; nil stays nil.
func AttrError(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: %s: %v", ErrMalformed, what, err)
}
