package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/seesaw-lb/seesaw/desired"
)

// runValidate implements `seesaw-reconcile validate --config-dir DIR`: exit 0
// and a one-line summary when the configuration is valid, exit 1 and one line
// per problem (FILE:LINE:COL: path: message) on stderr when it is not.
func runValidate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("seesaw-reconcile validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("config-dir", defaultConfigDir, "configuration `directory` to validate")
	if code, done := parseFlags(fs, args, stdout, stderr, "validate [--config-dir DIR]",
		"Checks every *.yaml and *.yml file of DIR as the daemon would load them.\n"+
			"Exit codes: 0 valid, 1 invalid, 2 usage error."); done {
		return code
	}
	cfg, err := desired.Load(*dir)
	if err != nil {
		return reportInvalid(*dir, err, stderr)
	}
	fmt.Fprintln(stdout, summary(*dir, cfg))
	return exitOK
}

// reportInvalid prints a load error: each problem on its own line (at most
// desired.MaxShownErrors, then how many more), then the count.
func reportInvalid(dir string, err error, stderr io.Writer) int {
	var es desired.Errors
	if !errors.As(err, &es) {
		fmt.Fprintf(stderr, "seesaw-reconcile validate: %v\n", err)
		return exitFailure
	}
	fmt.Fprintln(stderr, es.Error())
	fmt.Fprintf(stderr, "%s: invalid: %d %s\n", dir, len(es), plural(len(es), "error", "errors"))
	return exitFailure
}

// summary is the one line printed for a valid configuration.
func summary(dir string, cfg desired.Config) string {
	backends, fallbacks, checks := 0, 0, 0
	for _, s := range cfg.Services {
		backends += len(s.Backends)
		fallbacks += len(s.Fallback)
		checks += len(s.Checks)
		for _, f := range s.Fallback {
			checks += len(f.Checks)
		}
	}
	fb := ""
	if fallbacks > 0 {
		fb = fmt.Sprintf(", %d %s", fallbacks, plural(fallbacks, "fallback", "fallbacks"))
	}
	return fmt.Sprintf("%s: valid: node %s, %d %s, %d %s, %d %s%s, %d %s", dir, cfg.Node.Name,
		len(cfg.Files), plural(len(cfg.Files), "file", "files"),
		len(cfg.Services), plural(len(cfg.Services), "service", "services"),
		backends, plural(backends, "backend", "backends"), fb,
		checks, plural(checks, "check", "checks"))
}

// plural picks the singular or plural form for n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
