# seesaw — see README.md. `make test` is the whole suite (CI runs exactly it).
GO      ?= go
GOFLAGS ?=
export GOFLAGS

.PHONY: all help build check crossbuild test deps vet unit install installtest deb debtest bench-traffic vmtest vmbench demo bench-reconcile bench-edit kernelbench vrrpbench failbench vrrpvmtest vrrpvmbench checksbench hatest habench anycasttest bench soak clean

## all: the default: build.
all: build

## help: list the targets with the first sentence of their ## comment.
help:
	@awk 'function out() { if (name != "") { i = index(text, ". "); if (i) text = substr(text, 1, i); \
			printf "  %-16s %s\n", name, text }; name = "" } \
		/^## [a-z][a-z0-9-]*:/ { out(); sub(/^## /, ""); n = index($$0, ":"); \
			name = substr($$0, 1, n - 1); text = substr($$0, n + 2); next } \
		/^## / && name != "" { sub(/^## /, ""); text = text " " $$0; next } \
		{ out() } END { out() }' $(firstword $(MAKEFILE_LIST))

## build: compile every package.
build:
	$(GO) build ./...

## check: the quick loop: vet, gofmt and every test that needs no root, VM
## or extra tool (the network-namespace and VM suites skip).
check: vet
	env -u SEESAW_NETNS -u SEESAW_VM $(GO) test -count=1 ./...

## crossbuild: build and vet for each GOOS in CROSS_GOOS (the pure packages
## and the commands must build off Linux), and link the test binaries of
## CROSS_TEST_PKGS there (validate, diff and plan run on a reviewer's laptop).
CROSS_GOOS ?= darwin windows
CROSS_TEST_PKGS ?= ./desired ./reconcile ./cmd/seesaw-reconcile
crossbuild:
	@fail=0; tmp=$$(mktemp -d); for os in $(CROSS_GOOS); do \
		echo "GOOS=$$os $(GO) build ./... && GOOS=$$os $(GO) vet ./..."; \
		{ GOOS=$$os $(GO) build ./... && GOOS=$$os $(GO) vet ./...; } || fail=1; \
		for pkg in $(CROSS_TEST_PKGS); do \
			echo "GOOS=$$os $(GO) test -c $$pkg"; \
			GOOS=$$os $(GO) test -c -o $$tmp/$$os-$$(basename $$pkg).test $$pkg || fail=1; \
		done; \
	done; rm -rf $$tmp; exit $$fail

## deps: install the Debian packages the suites need (only those missing).
deps:
	@bash internal/tools/install-deps.sh

## vet: go vet of every module, and gofmt must have nothing to change.
vet:
	$(GO) vet ./...
	cd internal/ipvsbench && $(GO) vet ./...
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
VM_PKGS  ?= ./internal/vm/smoke ./kernel ./internal/daemon ./cmd/seesaw-reconcile ./reconcile
## The VM run includes the 2-minute soak test (TestSoakInVM), hence the timeout.
VM_FLAGS ?= --timeout 900
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
test: deps vet crossbuild unit installtest debtest vmtest vrrpvmtest hatest anycasttest

PREFIX  ?= /usr/local
DESTDIR ?=
## install: the binary, the systemd unit, ip_vs at boot, the docs, and a sample
## /etc/seesaw (examples/dr-web/lb1) only when /etc/seesaw does not exist yet.
install:
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/seesaw-reconcile ./cmd/seesaw-reconcile
	install -D -m 0755 bin/seesaw-reconcile $(DESTDIR)$(PREFIX)/sbin/seesaw-reconcile
	install -d -m 0755 $(DESTDIR)/etc/systemd/system $(DESTDIR)/etc/modules-load.d $(DESTDIR)$(PREFIX)/share/doc/seesaw
	sed 's|/usr/local/|$(PREFIX)/|g' examples/systemd/seesaw-reconcile.service > $(DESTDIR)/etc/systemd/system/seesaw-reconcile.service
	install -m 0644 examples/systemd/modules-load.conf $(DESTDIR)/etc/modules-load.d/seesaw.conf
	install -m 0644 docs/*.md $(DESTDIR)$(PREFIX)/share/doc/seesaw/
	@if [ ! -e $(DESTDIR)/etc/seesaw ]; then \
		install -d -m 0755 $(DESTDIR)/etc/seesaw && install -m 0644 examples/dr-web/lb1/*.yaml $(DESTDIR)/etc/seesaw/ && \
		echo "installed a sample configuration in $(DESTDIR)/etc/seesaw"; \
	else echo "kept the existing $(DESTDIR)/etc/seesaw"; fi

## installtest: make install into a scratch DESTDIR and check the result.
installtest:
	@bash internal/tools/install-test.sh

## deb: the Debian package in dist/ (dpkg-deb; packaging files in internal/debian).
deb:
	@bash internal/debian/build-deb.sh dist

## debtest: build the .deb, unpack it into a scratch root and check files,
## conffiles, the unit (systemd-analyze verify) and lintian's errors.
debtest:
	@bash internal/debian/deb-test.sh

## bench-traffic: the traffic metrics of one scrape at 10,000 x 10.
bench-traffic:
	SEESAW_BENCH=1 $(GO) test -count=1 -run '^TestTrafficMetricsBench$$' -v -timeout 20m ./internal/daemon/

## bench-reconcile: plan-time table (10,000 x 10) with its peers.
bench-reconcile:
	SEESAW_BENCH=1 $(GO) test -run TestBenchmarkTable -count=1 -v ./reconcile

## bench-edit: in the VM, the daemon with 1,000 services x 10 destinations:
## time from a one-line file edit to the kernel showing it (40 edits per
## layout), against ipvsadm -e and ipvsadm -Sn in the same VM.
bench-edit: deps
	@bash internal/vm/run.sh --pkg ./internal/daemon --bench EditToKernel --arg -test.benchtime=40x --timeout 1200

## checksbench: the health-check engine against the goroutine+ticker peer on
## loopback (about 4 minutes; prints a table; results in docs/benchmarks.md).
checksbench:
	SEESAW_CHECKS_BENCH=1 $(GO) test -count=1 -run '^TestChecksBench$$' -v -timeout 20m ./checks/

## demo: boot the test VM, validate / --dry-run / run the daemon on
## examples/dr-web, edit one file and show the one resulting change.
demo:
	@bash internal/vm/run.sh --bin ./cmd/seesaw-reconcile --extra examples:/etc/seesaw-examples \
		--script internal/demo/demo.sh --timeout 300

## vrrpbench: VRRP advert jitter (100 ms) in four load scenarios (idle; 10,000
## checks at 1 s; 100,000 at 10 s; a 10,000-service reload every 5 s) with each
## send path (runtime timer, timing thread, thread at SCHED_FIFO 50, the advert
## sender process, the process at SCHED_FIFO 50, SO_TXTIME where fq exists) and
## the node process's GC pauses, then failover detection over 20 kills; each
## next to keepalived and to the host's timer floor (cyclictest) measured in the
## same window, in network namespaces (root); and the timer floor alone:
## 100,000 wake-ups of a SCHED_FIFO thread every 1 ms (BenchmarkTimerFloor).
## About 30 minutes; SEESAW_BENCH_ROUNDS=regexp picks rounds ("scenario/path",
## e.g. '10k-svc-reload.*process').
vrrpbench:
	SEESAW_NETNS=1 $(GO) test -count=1 -run '^$$' -bench 'Netns|TimerFloor' -benchtime 1x -timeout 60m ./vrrp/

## failbench: spurious failovers under load: a seesaw pair and a keepalived
## pair in network namespaces (root), 100 ms adverts, beside each master
## 10,000 tcp checks at 1 s and a 1,000-service reload every 5 s; counts
## mastership changes. 10 minutes; SEESAW_FAILBENCH=2m for a short window.
failbench:
	SEESAW_NETNS=1 SEESAW_FAILBENCH=$${SEESAW_FAILBENCH:-1} $(GO) test -count=1 -run '^TestSpuriousFailoverBench$$' -v -timeout 90m ./internal/daemon/

## vrrpvmtest: kernel-timed VRRP adverts on the test VM's Debian kernel, which
## has the fq qdisc they need (the host kernel may not). About 1 minute.
vrrpvmtest: deps
	@bash internal/vm/run.sh --pkg ./vrrp --run '^TestVMKernelTimedFq$$'

## vrrpvmbench: the advert jitter rounds (idle and 1,000 checks at 1 s; every
## send path, kernel-timed with fq) next to keepalived and cyclictest inside the
## test VM (TCG).
## About 9 minutes.
vrrpvmbench: deps
	@bash internal/vm/run.sh --pkg ./vrrp --bench VMAdvertJitter --host-bin keepalived --host-bin cyclictest --arg -test.benchtime=1x --timeout 1400

## hatest: the HA traffic suite (docs/testing.md): client, two load balancers
## and three backends in namespaces on a bridge in the test VM; each lifecycle
## scenario under load with seesaw-reconcile, then with keepalived; prints the
## table and BENCHROW lines; about 5 minutes. HATEST_RUN selects scenarios (a
## -test.run regexp without $: make expands it).
HATEST_RUN ?= .
hatest: deps
	@bash internal/vm/run.sh --pkg ./internal/hatest --run '$(HATEST_RUN)' --bin ./cmd/seesaw-reconcile \
		--host-bin keepalived --mem 2048 --timeout 900

## habench: the crash and link-down failovers of the HA suite, HABENCH_REPEAT
## times with each implementation (default 10), in one VM run; prints each
## one's median, best and worst longest gap and takeover time side by side,
## with BENCHROW lines (docs/benchmarks.md). About 15 minutes at 10.
HABENCH_REPEAT ?= 10
habench: deps
	@bash internal/vm/run.sh --pkg ./internal/hatest --run '^TestHAFailoverRepeated$$' --bin ./cmd/seesaw-reconcile \
		--host-bin keepalived --mem 2048 --timeout 3000 --arg -hatest.repeat=$(HABENCH_REPEAT)

## anycasttest: the anycast suite (docs/anycast.md): BIRD with ECMP in a router
## namespace, three seesaw-reconcile nodes with node.bgp, real IPVS (mh, DR)
## and three backends in the test VM; a bounded load through each withdrawal
## scenario; prints the table and BENCHROW lines; about 4 minutes.
## ANYCASTTEST_RUN selects scenarios (a -test.run regexp without $).
ANYCASTTEST_RUN ?= .
anycasttest: deps
	@bash internal/vm/run.sh --pkg ./internal/anycasttest --run '$(ANYCASTTEST_RUN)' --bin ./cmd/seesaw-reconcile \
		--host-bin bird --host-bin birdc --mem 2048 --timeout 900

## clean: remove the built binary and the caches (.cache: VM images, logs).
clean:
	rm -rf bin .cache dist

## kernelbench: package kernel against ipvsadm, moby/ipvs and cloudflare/ipvs on the
## real kernel in the test VM (internal/vm); prints the tables of docs/benchmarks.md.
kernelbench:
	@bash internal/vm/run.sh --pkg ./internal/ipvsbench --bench IPVSPeers --arg -test.benchtime=1x --mem 2048 --timeout 1500

.PHONY: scalebench resynctest

## scalebench: the daemon at 1,000 x 10, 10,000 x 10 and 1,000 x 100 in the test
## VM: cold start, restart adoption, full read vs ipvsadm -Sn and moby/ipvs, idle
## CPU second by second, RSS, edit latency (about 25 minutes; docs/benchmarks.md).
scalebench:
	@bash internal/vm/run.sh --pkg ./internal/ipvsbench --bench 'Scale$$' --bin ./cmd/seesaw-reconcile --arg -test.benchtime=1x --mem 3072 --timeout 3600

## resynctest: in the VM, the spread resync at 10,000 x 10 repairs drift made by
## hand within its next cycle (make test runs the same test at 1,000 services).
resynctest:
	@bash internal/vm/run.sh --pkg ./reconcile --run 'SpreadResyncRepairsDriftInVM' --arg -reconcile.resync-services=10000 --arg -test.v --mem 2048 --timeout 1800

## soak: the soak and fault test in the VM (docs/testing.md): 1,000 services,
## edits every 100 ms, flapping checks, SIGKILL restarts, drift. SOAK is the
## length of the fault phase (make test runs it for 2 minutes in vmtest).
## SOAK_SEED replays the random edits and faults of an earlier run (its
## log prints the seed).
SOAK ?= 10m
SOAK_SEED ?=
soak: deps
	@bash internal/vm/run.sh --pkg ./internal/daemon --run '^TestSoakInVM$$' --arg -soak=$(SOAK) \
		$(if $(SOAK_SEED),--arg -soakseed=$(SOAK_SEED)) --mem 2048 --timeout 1080

## bench: every benchmark above (about 20 minutes), then one table of every
## figure against its peer (internal/tools/bench.sh; logs in .cache/bench/).
bench: deps
	@GO=$(GO) MAKE=$(MAKE) bash internal/tools/bench.sh
