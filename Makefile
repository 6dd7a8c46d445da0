# seesaw — see README.md. `make test` is the whole suite (CI runs exactly it).
GO      ?= go
GOFLAGS ?=
export GOFLAGS

.PHONY: all build test deps vet unit demo clean checksbench

all: build

build:
	$(GO) build ./...

## deps: install the Debian packages the suites need (only those missing).
deps:
	@bash internal/tools/install-deps.sh

vet:
	$(GO) vet ./...

## unit: every package's tests on the host: pure logic, fake kernel, loopback
## servers, and (SEESAW_NETNS=1) the network-namespace and keepalived suites,
## which then fail rather than skip when a prerequisite is missing.
unit:
	SEESAW_NETNS=1 $(GO) test -count=1 -timeout 10m ./...

## test: everything, installing what it needs; fails if any suite cannot run.
test: deps vet unit

## checksbench: the health-check engine against the goroutine+ticker peer on
## loopback (about 7 minutes; prints a table; results in docs/benchmarks.md).
checksbench:
	SEESAW_CHECKS_BENCH=1 $(GO) test -count=1 -run '^TestChecksBench$$' -v -timeout 20m ./checks/

demo:
	@echo "make demo: not available yet — it arrives with the reconcile daemon (issue 4)." >&2
	@exit 1

clean:
	rm -rf bin .cache
