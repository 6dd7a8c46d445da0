package desired

import (
	"net/netip"
	"time"

	"go.yaml.in/yaml/v3"
)

// VRRPv3 advertisement interval limits (RFC 9568: 12 bits of centiseconds).
const (
	minAdvertInterval = 10 * time.Millisecond
	maxAdvertInterval = 4095 * 10 * time.Millisecond
)

// maxRealtimePriority is the highest SCHED_FIFO priority Linux allows.
const maxRealtimePriority = 99

// Limits of the gratuitous ARP / unsolicited NA settings.
const (
	maxGARPRepeat   = 100
	maxGARPInterval = time.Second
	minGARPRefresh  = time.Second
)

// decodeVRRP decodes `node.vrrp`, or with named an item of
// `node.vrrp_instances` (the same keys plus `name`).
func (d *decoder) decodeVRRP(n *yaml.Node, path string, named bool) VRRP {
	v := defaultVRRP()
	if !named {
		v.Name = DefaultInstance
	}
	hasVRID := false
	var peersN, sourceN *yaml.Node
	d.mapping(n, path, func(k string, e *yaml.Node) bool {
		p := key(path, k)
		if named && k == "name" { // the one key node.vrrp has not
			v.Name = d.name(e, p)
			return true
		}
		switch k {
		case "vrid":
			v.VRID, hasVRID = d.uint8In(e, p, 1, 255), true
		case "priority":
			v.Priority = d.uint8In(e, p, 1, 255)
		case "advert_interval":
			v.AdvertInterval = d.duration(e, p)
			d.checkAdvert(e, p, v.AdvertInterval)
		case "interface":
			v.Interface = d.interfaceName(e, p)
		case "ipv6":
			v.IPv6 = d.boolean(e, p)
		case "peers":
			v.Peers, peersN = d.addrs(e, p), e
		case "source":
			v.SourceAddress, sourceN = d.addr(e, p), e
		case "preempt":
			v.Preempt = d.boolean(e, p)
		case "preempt_delay":
			v.PreemptDelay = d.duration(e, p)
		case "accept_mode":
			d.errorf(e, p, "removed: a seesaw master always accepts traffic to its VIPs: they are local addresses, "+
				"which IPVS needs to receive the packets it balances (RFC 9568 Accept_Mode off would drop them); delete the key")
		case "garp_master_repeat":
			n, _ := d.integer(e, p, 1, maxGARPRepeat)
			v.GARP.Repeat = int(n)
		case "garp_interval":
			v.GARP.Interval = d.durationMax(e, p, maxGARPInterval)
		case "garp_master_delay":
			v.GARP.Delay = d.duration(e, p)
		case "garp_master_refresh":
			v.GARP.Refresh = d.duration(e, p)
			if v.GARP.Refresh != 0 && v.GARP.Refresh < minGARPRefresh {
				d.errorf(e, p, "%s is shorter than the minimum %s (0s: no refresh)", v.GARP.Refresh, minGARPRefresh)
			}
		case "track":
			v.Track = d.decodeTrack(e, p)
		case "kernel_timed_adverts":
			v.KernelTimedAdverts = d.boolean(e, p)
		case "realtime_priority":
			n, _ := d.integer(e, p, 0, maxRealtimePriority)
			v.RealtimePriority = int(n)
		case "advert_sender":
			v.AdvertSender = d.oneOf(e, p, AdvertSenders()...)
		case "sync_daemon":
			s := d.decodeSyncDaemon(e, p)
			v.SyncDaemon = &s
		default:
			return false
		}
		return true
	})
	if named && v.Name == "" && n.Kind == yaml.MappingNode {
		d.errorf(n, key(path, "name"), "missing: every VRRP instance needs a name (services and addresses name it in vrrp_instance)")
	}
	if !hasVRID && n.Kind == yaml.MappingNode {
		d.errorf(n, key(path, "vrid"), "missing: the virtual router id (1..255) shared by both nodes")
	}
	d.checkVRRPFamily(&v, path, peersN, sourceN)
	if len(v.Peers) > MaxSenderProcessPeers && (v.AdvertSender == "" || v.AdvertSender == "process") {
		d.errorf(peersN, key(path, "peers"), "%d peers: the advert sender process sends to at most %d; set advert_sender: thread for more",
			len(v.Peers), MaxSenderProcessPeers)
	}
	return v
}

// durationMax decodes a duration of at most hi.
func (d *decoder) durationMax(n *yaml.Node, path string, hi time.Duration) time.Duration {
	before := len(d.errs)
	v := d.duration(n, path)
	if len(d.errs) == before && v > hi {
		d.errorf(n, path, "%s is longer than the maximum %s", v, hi)
	}
	return v
}

// checkAdvert checks an advertisement interval against what VRRPv3 can carry.
func (d *decoder) checkAdvert(n *yaml.Node, path string, iv time.Duration) {
	if iv < minAdvertInterval || iv > maxAdvertInterval || iv%(10*time.Millisecond) != 0 {
		d.errorf(n, path, "%s is not a multiple of 10ms from 10ms to 40.95s", iv)
	}
}

// checkVRRPFamily checks the unicast addresses against the VRRP address family.
func (d *decoder) checkVRRPFamily(v *VRRP, path string, peersN, sourceN *yaml.Node) {
	if peersN != nil && peersN.Kind == yaml.SequenceNode {
		for i, e := range peersN.Content {
			if a, err := netip.ParseAddr(e.Value); err == nil && a.Unmap().Is6() != v.IPv6 {
				d.errorf(e, index(key(path, "peers"), i), "peer %s is not of the VRRP family (%s; set ipv6: %t)",
					a, familyName(v.IPv6), !v.IPv6)
			}
		}
	}
	if a := v.SourceAddress; a.IsValid() {
		if a.Is6() != v.IPv6 {
			d.errorf(sourceN, key(path, "source"), "source %s is not of the VRRP family (%s)", a, familyName(v.IPv6))
		}
		if len(v.Peers) == 0 {
			d.errorf(sourceN, key(path, "source"), "a unicast source needs peers")
		}
	}
}

// familyName names an address family.
func familyName(ipv6 bool) string {
	if ipv6 {
		return "ipv6"
	}
	return "ipv4"
}

// decodeTrack decodes `vrrp.track: {interfaces, services}`.
func (d *decoder) decodeTrack(n *yaml.Node, path string) Tracking {
	var t Tracking
	d.mapping(n, path, func(k string, v *yaml.Node) bool {
		p := key(path, k)
		switch k {
		case "interfaces":
			d.sequence(v, p, func(i int, e *yaml.Node) {
				name, dec := d.decodeTracked(e, index(p, i), true)
				t.Interfaces = append(t.Interfaces, TrackInterface{Name: name, Decrement: dec})
			})
		case "services":
			d.sequence(v, p, func(i int, e *yaml.Node) {
				name, dec := d.decodeTracked(e, index(p, i), false)
				t.Services = append(t.Services, TrackService{Name: name, Decrement: dec})
			})
		default:
			return false
		}
		return true
	})
	return t
}

// decodeTracked decodes one `{name, decrement}` tracking entry.
func (d *decoder) decodeTracked(n *yaml.Node, path string, isInterface bool) (string, uint8) {
	var name string
	var dec uint8
	d.mapping(n, path, func(k string, v *yaml.Node) bool {
		switch k {
		case "name":
			if isInterface {
				name = d.interfaceName(v, key(path, k))
			} else {
				name = d.name(v, key(path, k))
			}
		case "decrement":
			dec = d.uint8In(v, key(path, k), 1, 254)
		default:
			return false
		}
		return true
	})
	if name == "" && n.Kind == yaml.MappingNode {
		d.errorf(n, key(path, "name"), "missing")
	}
	if dec == 0 && n.Kind == yaml.MappingNode {
		d.errorf(n, key(path, "decrement"), "missing: how much to lower the priority (1..254)")
	}
	return name, dec
}

// decodeSyncDaemon decodes `vrrp.sync_daemon`.
func (d *decoder) decodeSyncDaemon(n *yaml.Node, path string) SyncDaemon {
	s := defaultSyncDaemon()
	d.mapping(n, path, func(k string, v *yaml.Node) bool {
		p := key(path, k)
		switch k {
		case "interface":
			s.Interface = d.interfaceName(v, p)
		case "sync_id":
			v, _ := d.integer(v, p, 0, 255)
			s.SyncID = uint8(v)
		case "group":
			if s.Group = d.addr(v, p); s.Group.IsValid() && !s.Group.IsMulticast() {
				d.errorf(v, p, "%s is not a multicast address", s.Group)
			}
		case "port":
			s.Port = d.port(v, p)
		case "ttl":
			s.TTL = d.uint8In(v, p, 1, 255)
		case "maxlen":
			v, _ := d.integer(v, p, 0, 65535)
			s.MaxLen = uint16(v)
		default:
			return false
		}
		return true
	})
	return s
}
