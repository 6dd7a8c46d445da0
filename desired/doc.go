// Package desired loads, validates and normalizes the operator's YAML
// configuration under /etc/seesaw into an immutable Config: the node
// (interfaces, scope, VRRP, limits) and its services, each with its VIP or
// fwmark, ports, backends and health checks.
//
// # Entry points
//
//   - Load(dir) is the whole job: it reads every *.yaml / *.yml file of dir
//     in name order (skipping hidden files and editor leftovers, following
//     symlinks; only regular files within DefaultLimits, or within the
//     larger `node.limits` found by one extra read (see Limits), opened so
//     that no read blocks), decodes each strictly, checks every rule within and
//     across files, applies the defaults (all in defaults.go) and returns
//     the Config. On bad input it returns Errors: every problem at once,
//     each `FILE:LINE:COL: path: message`, matching ErrInvalid.
//   - Loader loads the same directory again after edits (the daemon's
//     reloads): it reads every file and the secret and CA files they name,
//     and re-parses only the files whose content (or whose secrets'
//     content) changed, and only the edited item of `services:` when it can
//     prove that gives the same result. Forget makes the next Load parse
//     everything (the daemon's SIGHUP).
//
// # Example
//
//	cfg, err := desired.Load("/etc/seesaw")
//	if err != nil {
//		fmt.Fprintln(os.Stderr, err) // web.yaml:3:10: services[0].vip: "192.0.2.300" is not an IP address
//		os.Exit(1)
//	}
//	for _, s := range cfg.Services {
//		fmt.Println(s.Name, s.VIP, len(s.Backends))
//	}
//
// The Config is a plain value with exported fields. Treat it as read-only:
// copies share slices, and other goroutines may be reading the same Config.
// docs/configuration.md documents every key.
//
// # Invariants
//
// A change to this package must keep these; the tests named check them.
//
//   - Every problem is reported at once, each at its file, line and column
//     (TestEveryErrorAtOnce, TestBadInput, TestSemanticErrors).
//   - The Config depends neither on file order nor on map iteration
//     (TestFileOrderIndependent).
//   - Incremental equals full: a Loader's result (config or errors) equals
//     Load's for the same files, at each layer: the re-parse of one item
//     equals a full parse (TestReparseEqualsParse, FuzzReparse) and the
//     cached per-file checks equal a fresh build (TestBuilderEqualsBuild).
//     When the shortcut cannot be proven, take the full path.
//   - Secrets (RADIUS password and shared secret, header value_file,
//     proxy_auth_file) are Secret values that never print
//     (TestSecretsNeverPrinted, TestHeaderAndProxySecretsFromFiles).
//   - Hostile files cannot hang or exhaust a load: named pipes, devices,
//     directories and oversized files are errors of their file, and at most
//     MaxShownErrors problems are rendered (TestFIFORefused,
//     TestDevZeroRefused, TestFileOverLimit, TestErrorFlood).
//   - `node.limits` only raises the read limits, is read from a node file
//     within the loader's own limits, and costs at most one extra read of
//     the directory (TestNodeLimitsAtMostOnce, TestNodeLimitsNodeFileMustFit,
//     TestLoaderKeepsNodeLimits).
//   - Every key is documented in docs/configuration.md
//     (TestConfigurationDocumented).
package desired
