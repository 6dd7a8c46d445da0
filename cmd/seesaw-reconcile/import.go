package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/seesaw-lb/seesaw/desired"
	"github.com/seesaw-lb/seesaw/internal/keepalived"
)

// importSynopsis is the usage line of `import`.
const importSynopsis = "import keepalived FILE [--out DIR] [--config-id ID] [--node-name NAME] [--force]"

// runImportCmd implements `seesaw-reconcile import keepalived FILE`: it
// reads a keepalived.conf with its includes, writes node.yaml and
// services.yaml into --out, and lists on stderr, as FILE:LINE: text, every
// construct it did not convert. The files are validated before they are
// written; nothing is written when they would not pass `validate`.
func runImportCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("seesaw-reconcile import", flag.ContinueOnError)
	out := fs.String("out", "seesaw-config", "`directory` to write node.yaml and services.yaml into (created if missing)")
	configID := fs.String("config-id", shortHostname(), "keepalived's config `id` (its -i), which selects the lines prefixed @id and @^id")
	nodeName := fs.String("node-name", "", "node.name (default: global_defs router_id, else lb)")
	force := fs.Bool("force", false, "overwrite node.yaml and services.yaml in --out")
	pos, code, done := parseInterleaved(fs, args, stdout, stderr)
	if done {
		return code
	}
	if len(pos) != 2 || pos[0] != "keepalived" {
		fmt.Fprintf(stderr, "seesaw-reconcile import: want `keepalived FILE`, got %q\n", strings.Join(pos, " "))
		importUsage(fs, stderr)
		return exitUsage
	}
	file := pos[1]
	cfg, err := keepalived.Parse(file, keepalived.Options{ConfigID: *configID})
	if err != nil {
		fmt.Fprintf(stderr, "seesaw-reconcile import: read %s: %v\n", file, err)
		return exitFailure
	}
	res, err := keepalived.Convert(cfg, keepalived.ConvertOptions{NodeName: *nodeName,
		Header: fmt.Sprintf("Converted from %s by `seesaw-reconcile import keepalived`\n(config id %q). Review it: docs/migrating-from-keepalived.md.", file, *configID)})
	if err != nil {
		fmt.Fprintf(stderr, "seesaw-reconcile import: convert %s: %v\n", file, err)
		return exitFailure
	}
	for _, n := range res.Notes {
		fmt.Fprintln(stderr, n)
	}
	if err := checkImport(res); err != nil {
		fmt.Fprintf(stderr, "seesaw-reconcile import: the converted configuration does not validate (a bug: please report it with the keepalived file): %v\n", err)
		return exitFailure
	}
	written, err := writeImport(*out, res, *force)
	if err != nil {
		fmt.Fprintf(stderr, "seesaw-reconcile import: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(stdout, "wrote %s: %d %s, %d %s not converted (listed on stderr)\n", strings.Join(written, ", "),
		res.Services, plural(res.Services, "service", "services"), len(res.Notes), plural(len(res.Notes), "construct", "constructs"))
	fmt.Fprintf(stdout, "next: seesaw-reconcile validate --config-dir %s, then plan --config-dir %s on the node\n", *out, *out)
	return exitOK
}

// checkImport loads the converted files from a temporary directory, as
// `validate` would.
func checkImport(res *keepalived.Result) error {
	dir, err := os.MkdirTemp("", "seesaw-import-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if _, err := writeImport(dir, res, false); err != nil {
		return err
	}
	_, err = desired.Load(dir)
	return err
}

// writeImport writes the result's files into dir, refusing to replace
// existing ones unless force, and returns their paths.
func writeImport(dir string, res *keepalived.Result, force bool) ([]string, error) {
	files := []struct {
		name string
		data []byte
	}{{"node.yaml", res.NodeYAML}, {"services.yaml", res.ServicesYAML}}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		if _, err := os.Lstat(p); err == nil && !force {
			return nil, fmt.Errorf("write %s: the file exists (use --force to replace it)", p)
		}
	}
	var written []string
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		if f.data == nil {
			if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("remove stale %s: %w", p, err)
			}
			continue
		}
		if err := os.WriteFile(p, f.data, 0o644); err != nil {
			return nil, fmt.Errorf("write %s: %w", p, err)
		}
		written = append(written, p)
	}
	return written, nil
}

// parseInterleaved parses flags that may come before, between or after the
// positional arguments, and returns the positional ones.
func parseInterleaved(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) (pos []string, code int, done bool) {
	fs.SetOutput(stderr)
	fs.Usage = func() {}
	for {
		err := fs.Parse(args)
		switch {
		case errors.Is(err, flag.ErrHelp):
			importUsage(fs, stdout)
			return nil, exitOK, true
		case err != nil:
			importUsage(fs, stderr)
			return nil, exitUsage, true
		}
		if fs.NArg() == 0 {
			return pos, exitOK, false
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// importUsage prints the import command's usage.
func importUsage(fs *flag.FlagSet, w io.Writer) {
	fmt.Fprintf(w, "Usage: seesaw-reconcile %s\n\n"+
		"Converts a keepalived.conf (with its include files) into a seesaw configuration\n"+
		"directory: node.yaml and services.yaml. Every construct that does not convert is\n"+
		"listed on stderr as FILE:LINE: what to do instead. The files are validated before\n"+
		"they are written. Exit codes: 0 written, 1 error, 2 usage error.\n\nFlags:\n", importSynopsis)
	fs.SetOutput(w)
	fs.PrintDefaults()
}

// shortHostname is the host name up to its first dot, keepalived's
// default config id; empty when unknown.
func shortHostname() string {
	h, err := os.Hostname()
	if err != nil {
		return ""
	}
	name, _, _ := strings.Cut(h, ".")
	return name
}
