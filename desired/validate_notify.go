package desired

import "fmt"

// checkNotify checks that the services a hook is limited to exist.
func (b *builder) checkNotify(cfg *Config) {
	if len(cfg.Node.Notify) == 0 || b.unparsed {
		return
	}
	for i, h := range cfg.Node.Notify {
		for j, name := range h.Services {
			if !hasService(cfg.Services, name) {
				b.errorAt(h.Source, index(index("node.notify", i)+".services", j), fmt.Sprintf("no service named %q", name))
			}
		}
	}
}
