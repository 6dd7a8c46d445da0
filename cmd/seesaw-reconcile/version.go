package main

import (
	"fmt"
	"io"
	"runtime/debug"
)

// runVersion prints the module version and VCS revision the binary was built from.
func runVersion(_ []string, stdout, _ io.Writer) int {
	fmt.Fprintln(stdout, "seesaw-reconcile", versionString())
	return exitOK
}

// versionString is the module version, plus the VCS revision when known.
func versionString() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	for _, s := range bi.Settings {
		switch {
		case s.Key == "vcs.revision" && len(s.Value) >= 12:
			v += " " + s.Value[:12]
		case s.Key == "vcs.modified" && s.Value == "true":
			v += "+dirty"
		}
	}
	return v + " " + bi.GoVersion
}
