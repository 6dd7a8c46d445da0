package main

import (
	"os"
	"strings"
	"testing"
)

// childArgsEnv makes the test binary act as seesaw-reconcile itself, with
// the arguments in the variable (separated by "\x1f"), so tests can run the
// daemon as a real process and kill -9 it.
const childArgsEnv = "SEESAW_TEST_CHILD_ARGS"

func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv(childArgsEnv); ok {
		os.Exit(run(strings.Split(args, "\x1f"), os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}
