package checks

import (
	"fmt"
	"strings"
)

// Normalize returns s with defaults filled in, or an ErrInvalidSpec error
// naming the first bad field.
func (s Spec) Normalize() (Spec, error) {
	if s.Interval <= 0 || s.Timeout <= 0 {
		return s, fmt.Errorf("%w: %s check: interval (%v) and timeout (%v) must be positive",
			ErrInvalidSpec, s.Type, s.Interval, s.Timeout)
	}
	if s.FastInterval < 0 || s.DownInterval < 0 || s.Rise < 0 || s.Fall < 0 {
		return s, fmt.Errorf("%w: %s check: negative fast/down interval or rise/fall", ErrInvalidSpec, s.Type)
	}
	if s.FastInterval == 0 {
		s.FastInterval = s.Interval
	}
	if s.DownInterval == 0 {
		s.DownInterval = s.Interval
	}
	s.Rise, s.Fall = max(s.Rise, 1), max(s.Fall, 1)
	if s.InitialState > StateUp {
		return s, fmt.Errorf("%w: %s check: unknown initial state %d", ErrInvalidSpec, s.Type, s.InitialState)
	}
	if s.HalfOpen && (s.Type != TypeTCP || s.Send != "" || s.Expect != (Expect{})) {
		return s, fmt.Errorf("%w: %s check: half-open is for tcp checks without send or expect", ErrInvalidSpec, s.Type)
	}
	switch s.Type {
	case TypeHTTP, TypeHTTPS:
		return s.normalizeHTTP()
	case TypeDNS:
		s.DNS.Type = strings.ToUpper(defaultString(s.DNS.Type, "A"))
		s.DNS.Rcode = strings.ToUpper(defaultString(s.DNS.Rcode, "NOERROR"))
		s.DNS.Transport = strings.ToLower(defaultString(s.DNS.Transport, "udp"))
	case TypeRADIUS:
		s.RADIUS.Expect = strings.ToLower(defaultString(s.RADIUS.Expect, "accept"))
	case TypeICMP, TypeTCP, TypeTLS, TypeUDP:
	default:
		return s, fmt.Errorf("%w: unknown check type %q", ErrInvalidSpec, s.Type)
	}
	return s, nil
}

// normalizeHTTP defaults the method, path and accepted statuses.
func (s Spec) normalizeHTTP() (Spec, error) {
	h := &s.HTTP
	h.Method = strings.ToUpper(defaultString(h.Method, "GET"))
	h.Path = defaultString(h.Path, "/")
	if !strings.HasPrefix(h.Path, "/") {
		return s, fmt.Errorf("%w: %s check: path %q must start with /", ErrInvalidSpec, s.Type, h.Path)
	}
	if len(h.Statuses) == 0 {
		h.Statuses = []StatusRange{{First: 200, Last: 299}}
	}
	for _, r := range h.Statuses {
		if r.First < 100 || r.Last > 599 || r.First > r.Last {
			return s, fmt.Errorf("%w: %s check: status range %d-%d outside 100-599 or reversed",
				ErrInvalidSpec, s.Type, r.First, r.Last)
		}
	}
	for _, hd := range h.Headers {
		if hd.Name == "" || strings.ContainsAny(hd.Name+hd.Value, "\r\n") {
			return s, fmt.Errorf("%w: %s check: bad header %q", ErrInvalidSpec, s.Type, hd.Name)
		}
	}
	return s, nil
}

// defaultString returns s, or def when s is empty.
func defaultString(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
