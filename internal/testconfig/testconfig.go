// Package testconfig holds configuration files that the tests of more
// than one package load, so that a fixture reads the same wherever it is
// used. It is for tests only; nothing outside _test.go files imports it.
//
// The two-instance fixture is a node with the VRRP instances web (VRID 61)
// and db (VRID 62) and the services and floating address that follow them:
//
//	node := testconfig.InstancesNode{Name: "lb2", Web: "priority: 150"}.String()
//	files := map[string]string{"node.yaml": node, "svc.yaml": testconfig.InstancesServices}
package testconfig

import "fmt"

// InstancesServiceList is the services of InstancesNode: service web
// (192.0.2.10, tcp/80) follows instance web, service db (192.0.2.20,
// tcp/5432) instance db. Addresses may follow it in the same file.
const InstancesServiceList = `services:
  - name: web
    vip: 192.0.2.10
    vrrp_instance: web
    ports: [{proto: tcp, port: 80}]
    backends: [{address: 198.51.100.1}]
  - name: db
    vip: 192.0.2.20
    vrrp_instance: db
    ports: [{proto: tcp, port: 5432}]
    backends: [{address: 198.51.100.2}]
`

// InstancesServices is a services file for InstancesNode:
// InstancesServiceList and the floating address 192.0.2.50/24, which
// follows instance db.
const InstancesServices = InstancesServiceList + `addresses:
  - {address: 192.0.2.50/24, vrrp_instance: db}
`

// InstancesNode is a node file with two VRRP instances, web (VRID 61) and
// db (VRID 62), in scope 192.0.2.0/24.
type InstancesNode struct {
	Name      string // node.name; "lb1" when empty
	Interface string // node.interface; "eth1" when empty
	// Web and DB are more keys of each instance in YAML flow style, e.g.
	// "priority: 150, advert_interval: 100ms"; empty: none.
	Web, DB string
	// Extra is more of the node section, each line indented two spaces
	// and ending in a newline, e.g. "  vrrp_sync_groups: [...]\n".
	Extra string
}

// String is the node file.
func (n InstancesNode) String() string {
	name, iface := n.Name, n.Interface
	if name == "" {
		name = "lb1"
	}
	if iface == "" {
		iface = "eth1"
	}
	return fmt.Sprintf("node:\n  name: %s\n  interface: %s\n  scope: {prefixes: [192.0.2.0/24]}\n"+
		"  vrrp_instances:\n"+
		"    - {name: web, vrid: 61%s}\n"+
		"    - {name: db, vrid: 62%s}\n%s", name, iface, keys(n.Web), keys(n.DB), n.Extra)
}

// keys is a flow mapping's further keys: ", " and k, or nothing.
func keys(k string) string {
	if k == "" {
		return ""
	}
	return ", " + k
}
