# seesaw — see README.md. `make test` is the whole suite (CI runs exactly it).
GO      ?= go
GOFLAGS ?=
export GOFLAGS

.PHONY: all build test deps vet unit demo clean vrrpbench

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

## vrrpbench: VRRP advert jitter (100 ms, idle and under health-check allocation
## load) and failover detection over 20 kills, each next to keepalived measured in
## the same run, in network namespaces (root). About 5 minutes.
vrrpbench:
	SEESAW_NETNS=1 $(GO) test -count=1 -run '^$$' -bench 'Netns' -benchtime 1x -timeout 30m ./vrrp/

demo:
	@echo "make demo: not available yet — it arrives with the reconcile daemon (issue 4)." >&2
	@exit 1

clean:
	rm -rf bin .cache
