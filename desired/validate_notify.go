package desired

import (
	"fmt"
	"slices"
	"strings"
)

// checkNotify checks that the services and VRRP instances a hook is
// limited to exist.
func (b *builder) checkNotify(cfg *Config) {
	if len(cfg.Node.Notify) == 0 || b.unparsed {
		return
	}
	instances := cfg.Node.Instances()
	for i, h := range cfg.Node.Notify {
		for j, name := range h.Services {
			if !hasService(cfg.Services, name) {
				b.errorAt(h.Source, index(index("node.notify", i)+".services", j), fmt.Sprintf("no service named %q", name))
			}
		}
		for j, name := range h.Instances {
			if !slices.ContainsFunc(instances, func(v VRRP) bool { return v.Name == name }) {
				b.errorAt(h.Source, index(index("node.notify", i)+".instances", j), fmt.Sprintf("no VRRP instance named %q%s", name, instanceNames(instances)))
			}
		}
	}
}

// instanceNames lists the instances' names for a message: "; the node's
// VRRP instances are a, b", or "; the node has no VRRP" on a standalone node.
func instanceNames(instances []VRRP) string {
	if len(instances) == 0 {
		return "; the node has no VRRP"
	}
	names := make([]string, len(instances))
	for i, v := range instances {
		names[i] = v.Name
	}
	return "; the node's VRRP instances are " + strings.Join(names, ", ")
}
