// Package desired loads, validates and normalizes the operator's YAML
// configuration under /etc/seesaw into an immutable Config.
//
// Load(dir) is the whole job: it reads every *.yaml / *.yml file of dir in
// name order (skipping hidden files and editor leftovers, following
// symlinks), decodes each strictly, checks every rule within and across
// files, applies the defaults (all in defaults.go) and returns a Config whose
// ordering depends neither on file order nor on map iteration. On bad input
// it returns Errors: every problem at once, each `FILE:LINE:COL: path: message`.
//
// A file watcher re-parses only what changed: keep one *parsedFile per file name
// (loadFile), replace the changed ones, and call build on the set.
//
// The Config is a plain value with exported fields. Treat it as read-only:
// copies share slices, and other goroutines may be reading the same Config.
// Secrets (RADIUS password and shared secret) are Secret values that never
// print; docs/configuration.md documents every key.
package desired
