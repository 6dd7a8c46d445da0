// Package desired loads, validates and normalizes the operator's YAML
// configuration under /etc/seesaw into an immutable Config.
package desired
