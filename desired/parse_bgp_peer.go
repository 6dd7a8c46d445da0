package desired

import (
	"math"
	"time"

	"go.yaml.in/yaml/v3"
)

// decodeBGPPeer decodes one entry of `node.bgp.peers`.
func (d *decoder) decodeBGPPeer(n *yaml.Node, path string) BGPPeer {
	p := defaultBGPPeer()
	var localN, bfdN, ttlN, keepaliveN *yaml.Node
	hasASN := false
	ok := d.mapping(n, path, func(k string, v *yaml.Node) bool {
		kp := key(path, k)
		switch k {
		case "address":
			p.Address = d.addr(v, kp)
		case "asn":
			p.ASN, hasASN = d.asn(v, kp), true
		case "port":
			p.Port = d.port(v, kp)
		case "local_address":
			p.LocalAddress, localN = d.addr(v, kp), v
		case "password_file":
			p.Password = d.secretFile(v, kp)
		case "multihop_ttl":
			p.MultihopTTL, ttlN = d.uint8In(v, kp, 1, 255), v
		case "hold_time":
			p.HoldTime = d.holdTime(v, kp)
		case "keepalive":
			p.Keepalive, keepaliveN = d.wholeSeconds(v, kp, time.Second, maxHoldTime), v
		case "passive":
			p.Passive = d.boolean(v, kp)
		case "bfd":
			bfd := d.decodeBFD(v, kp)
			p.BFD, bfdN = bfd, v
		case "graceful_restart":
			p.GracefulRestart = d.wholeSeconds(v, kp, 0, maxRestartTime)
		default:
			return false
		}
		return true
	})
	if !ok {
		return BGPPeer{}
	}
	if !p.Address.IsValid() {
		d.errorf(n, key(path, "address"), "missing: the neighbour's address")
	}
	if !hasASN {
		d.errorf(n, key(path, "asn"), "missing: the neighbour's autonomous system number")
	}
	d.checkBGPPeer(&p, path, localN, bfdN, ttlN, keepaliveN)
	return p
}

// checkBGPPeer checks the keys of a peer against each other.
func (d *decoder) checkBGPPeer(p *BGPPeer, path string, localN, bfdN, ttlN, keepaliveN *yaml.Node) {
	if a := p.LocalAddress; a.IsValid() && p.Address.IsValid() && a.Is6() != p.Address.Is6() {
		d.errorf(localN, key(path, "local_address"), "local address %s is not of the family of peer %s", a, p.Address)
	}
	if p.BFD != nil && ttlN != nil {
		d.errorf(bfdN, key(path, "bfd"), "BFD is single-hop only (RFC 5881); a multihop_ttl peer cannot use it")
	}
	if keepaliveN != nil && p.Keepalive >= p.HoldTime && p.HoldTime != 0 {
		d.errorf(keepaliveN, key(path, "keepalive"), "keepalive %s is not shorter than hold_time %s", p.Keepalive, p.HoldTime)
	}
	if keepaliveN != nil && p.HoldTime == 0 {
		d.errorf(keepaliveN, key(path, "keepalive"), "hold_time 0s turns keepalives off; delete keepalive")
	}
	if p.Keepalive == 0 {
		p.Keepalive = (p.HoldTime / 3).Truncate(time.Second)
	}
}

// holdTime decodes a BGP hold time: 0s, or whole seconds from 3s to 65535s.
func (d *decoder) holdTime(n *yaml.Node, path string) time.Duration {
	before := len(d.errs)
	v := d.duration(n, path)
	if len(d.errs) == before && v != 0 && (v < minHoldTime || v > maxHoldTime || v%time.Second != 0) {
		d.errorf(n, path, "%s is not 0s or whole seconds from 3s to 65535s (RFC 4271)", v)
		return DefaultBGPHoldTime
	}
	return v
}

// wholeSeconds decodes a duration of whole seconds in [lo, hi].
func (d *decoder) wholeSeconds(n *yaml.Node, path string, lo, hi time.Duration) time.Duration {
	before := len(d.errs)
	v := d.duration(n, path)
	if len(d.errs) == before && (v < lo || v > hi || v%time.Second != 0) {
		d.errorf(n, path, "%s is not whole seconds from %s to %s", v, lo, hi)
		return 0
	}
	return v
}

// decodeBFD decodes `bfd: true|false` or `bfd: {interval, multiplier}`.
func (d *decoder) decodeBFD(n *yaml.Node, path string) *BFD {
	b := &BFD{Interval: DefaultBFDInterval, Multiplier: DefaultBFDMultiplier}
	if n.Kind == yaml.ScalarNode {
		if !d.boolean(n, path) {
			return nil
		}
		return b
	}
	d.mapping(n, path, func(k string, v *yaml.Node) bool {
		kp := key(path, k)
		switch k {
		case "interval":
			b.Interval = d.durationMin(v, kp, minBFDInterval)
			if b.Interval%time.Microsecond != 0 || b.Interval > time.Duration(math.MaxUint32)*time.Microsecond {
				d.errorf(v, kp, "%s is not whole microseconds below 4295s", b.Interval)
			}
		case "multiplier":
			m, _ := d.integer(v, kp, 1, 255)
			b.Multiplier = int(m)
		default:
			return false
		}
		return true
	})
	return b
}
