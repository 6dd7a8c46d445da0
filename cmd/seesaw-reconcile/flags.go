package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// parseFlags parses a subcommand's flags, which take no positional
// arguments. -h prints the usage to stdout (exit 0); a mistake prints it to
// stderr (exit 2). done reports whether the command must return code now.
func parseFlags(fs *flag.FlagSet, args []string, stdout, stderr io.Writer, synopsis, about string) (code int, done bool) {
	fs.SetOutput(stderr)
	fs.Usage = func() {}
	printUsage := func(w io.Writer) {
		fmt.Fprintf(w, "Usage: seesaw-reconcile %s\n\n%s\n\nFlags:\n", synopsis, about)
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(stderr)
	}
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		printUsage(stdout)
		return exitOK, true
	case err != nil:
		printUsage(stderr)
		return exitUsage, true
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		printUsage(stderr)
		return exitUsage, true
	}
	return exitOK, false
}
