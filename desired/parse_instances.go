package desired

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// decodeInstances decodes `node.vrrp_instances`: a list of `node.vrrp`
// sections, each with a name.
func (d *decoder) decodeInstances(n *yaml.Node, path string) []VRRP {
	var out []VRRP
	d.sequence(n, path, func(i int, e *yaml.Node) {
		out = append(out, d.decodeVRRP(e, index(path, i), true))
	})
	if n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
		d.errorf(n, path, "empty: list the instances, or remove the key for a standalone node")
	}
	return out
}

// decodeSyncGroups decodes `node.vrrp_sync_groups: [{name, instances}]`.
func (d *decoder) decodeSyncGroups(n *yaml.Node, path string) []SyncGroup {
	var out []SyncGroup
	d.sequence(n, path, func(i int, e *yaml.Node) {
		p := index(path, i)
		var g SyncGroup
		d.mapping(e, p, func(k string, v *yaml.Node) bool {
			switch k {
			case "name":
				g.Name = d.name(v, key(p, k))
			case "instances":
				d.sequence(v, key(p, k), func(j int, m *yaml.Node) {
					if s := d.name(m, index(key(p, k), j)); s != "" {
						g.Instances = append(g.Instances, s)
					}
				})
			default:
				return false
			}
			return true
		})
		if e.Kind != yaml.MappingNode {
			return
		}
		if g.Name == "" {
			d.errorf(e, key(p, "name"), "missing: every sync group needs a name")
		}
		out = append(out, g)
	})
	return out
}

// checkInstances checks the node's VRRP instances and sync groups together:
// one form only, unique names, no two instances on one virtual router, at
// most one sync daemon, and sync groups of at least two known instances,
// each instance in at most one group.
func (d *decoder) checkInstances(node *Node, path string, vrrpN, instancesN, groupsN *yaml.Node) {
	if vrrpN != nil && instancesN != nil {
		d.errorf(instancesN, key(path, "vrrp_instances"), "node.vrrp is already set: use node.vrrp for one instance or node.vrrp_instances for several, not both")
		node.VRRPInstances = nil
		return
	}
	p := key(path, "vrrp_instances")
	at := func(i int) *yaml.Node {
		if instancesN != nil && instancesN.Kind == yaml.SequenceNode && i < len(instancesN.Content) {
			return instancesN.Content[i]
		}
		if vrrpN != nil {
			return vrrpN
		}
		return &yaml.Node{}
	}
	names := map[string]int{}
	type router struct {
		ifname string
		vrid   uint8
		ipv6   bool
	}
	routers := map[router]string{}
	syncd := ""
	for i, v := range node.VRRPInstances {
		if v.Name != "" {
			if j, dup := names[v.Name]; dup {
				d.errorf(at(i), index(p, i)+".name", "instance %q is already defined at %s[%d]", v.Name, p, j)
			}
			names[v.Name] = i
		}
		r := router{v.Interface, v.VRID, v.IPv6}
		if r.ifname == "" && len(node.Interfaces) > 0 {
			r.ifname = node.Interfaces[0]
		}
		if other, dup := routers[r]; dup && v.VRID != 0 {
			d.errorf(at(i), index(p, i)+".vrid", "VRID %d (%s) on %s is already instance %q's: two instances on one segment need distinct VRIDs",
				v.VRID, familyName(v.IPv6), r.ifname, other)
		}
		routers[r] = v.Name
		if v.SyncDaemon != nil {
			if syncd != "" {
				d.errorf(at(i), index(p, i)+".sync_daemon", "instance %q already configures the sync daemon: the kernel runs one master and one backup sync daemon per network namespace, so at most one instance may have sync_daemon", syncd)
			}
			syncd = v.Name
		}
	}
	if groupsN != nil {
		d.checkSyncGroups(node, key(path, "vrrp_sync_groups"), groupsN, names)
	}
}

// checkSyncGroups checks the sync groups against the instances' names.
func (d *decoder) checkSyncGroups(node *Node, path string, groupsN *yaml.Node, names map[string]int) {
	if len(node.VRRPInstances) == 0 {
		d.errorf(groupsN, path, "a sync group needs VRRP instances: set node.vrrp_instances")
		return
	}
	choices := make([]string, 0, len(names))
	for _, v := range node.VRRPInstances {
		choices = append(choices, v.Name)
	}
	groupOf := map[string]string{}
	seen := map[string]bool{}
	for i, g := range node.SyncGroups {
		gn := groupsN
		if groupsN.Kind == yaml.SequenceNode && i < len(groupsN.Content) {
			gn = groupsN.Content[i]
		}
		p := index(path, i)
		if seen[g.Name] && g.Name != "" {
			d.errorf(gn, p+".name", "sync group %q is already defined", g.Name)
		}
		seen[g.Name] = true
		if len(g.Instances) < 2 {
			d.errorf(gn, p+".instances", "a sync group needs at least two instances, got %d", len(g.Instances))
		}
		for j, m := range g.Instances {
			if _, ok := names[m]; !ok {
				d.errorf(gn, fmt.Sprintf("%s.instances[%d]", p, j), "no VRRP instance named %q (the instances are %s)", m, strings.Join(choices, ", "))
				continue
			}
			if other, dup := groupOf[m]; dup {
				d.errorf(gn, fmt.Sprintf("%s.instances[%d]", p, j), "instance %q is already in sync group %q: an instance is in at most one group", m, other)
				continue
			}
			groupOf[m] = g.Name
		}
	}
}
