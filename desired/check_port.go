package desired

// DialPort is the port a check of service s connects to on backend b: the
// check's own port, else the backend's, else the service's first port (0
// when there is none, as for a fwmark service).
func (c Check) DialPort(s Service, b Backend) uint16 {
	switch {
	case c.Port != 0:
		return c.Port
	case b.Port != 0:
		return b.Port
	case len(s.Ports) > 0:
		return s.Ports[0].Port
	}
	return 0
}
