# seesaw — see README.md. `make test` is the whole suite (CI runs exactly it).
GO      ?= go
GOFLAGS ?=
export GOFLAGS

.PHONY: all build test deps vet unit vmtest vmbench demo clean

all: build

build:
	$(GO) build ./...

## deps: install the Debian packages the suites need (only those missing).
deps:
	@bash internal/tools/install-deps.sh

## vet: go vet, and gofmt must have nothing to change.
vet:
	$(GO) vet ./...
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted" >&2; exit 1; fi

## unit: every package's tests on the host: pure logic, fake kernel, loopback
## servers, and (SEESAW_NETNS=1) the network-namespace and keepalived suites,
## which then fail rather than skip when a prerequisite is missing.
unit:
	SEESAW_NETNS=1 $(GO) test -count=1 -timeout 10m ./...

## VM_PKGS: the packages whose tests run as root against the real IPVS kernel
## in the test VM (internal/vm/README.md). Add a package here to put it in
## make vmtest; a listed package without tests is reported and skipped.
VM_PKGS  ?= ./internal/vm/smoke
VM_FLAGS ?=
## VMBENCH: -test.bench regexp for make vmbench; VMBENCH_FLAGS e.g.
## --arg -test.benchtime=3x.
VMBENCH  ?= .
VMBENCH_FLAGS ?= --arg -test.benchtime=1x

## vmtest: every VM package's tests inside a QEMU VM (Debian kernel, busybox).
vmtest: deps
	@bash internal/vm/run.sh $(addprefix --pkg ,$(VM_PKGS)) $(VM_FLAGS)

## vmbench: the benchmarks of the VM packages, inside the same kind of VM.
vmbench: deps
	@bash internal/vm/run.sh $(addprefix --pkg ,$(VM_PKGS)) --bench '$(VMBENCH)' $(VMBENCH_FLAGS) $(VM_FLAGS)

## test: everything, installing what it needs; fails if any suite cannot run.
test: deps vet unit vmtest

demo:
	@echo "make demo: not available yet — it arrives with the reconcile daemon (issue 4)." >&2
	@exit 1

clean:
	rm -rf bin .cache
