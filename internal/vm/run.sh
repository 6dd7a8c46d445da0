#!/usr/bin/env bash
# Runs Go test binaries, extra programs and scripts as root inside a QEMU VM
# booting Debian's stock kernel with a busybox initramfs (see README.md here).
# Exits with the tests' status: 0 all passed, 1 a test/script/setup failed or
# the VM died, 2 bad usage, 124 the VM timed out, 3 cannot prepare the VM.
set -euo pipefail

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$VM_DIR/../.." && pwd)
VM_CACHE=${SEESAW_VM_CACHE:-$REPO/.cache/vm}
GO=${GO:-go}

# shellcheck source=lib/kernel.sh
. "$VM_DIR/lib/kernel.sh"
# shellcheck source=lib/base.sh
. "$VM_DIR/lib/base.sh"
# shellcheck source=lib/modules.sh
. "$VM_DIR/lib/modules.sh"
# shellcheck source=lib/overlay.sh
. "$VM_DIR/lib/overlay.sh"
# shellcheck source=lib/qemu.sh
. "$VM_DIR/lib/qemu.sh"

vm_log() { echo "vm: $*" >&2; }
vm_die() {
	echo "vm: error: $*" >&2
	exit 3
}

usage() {
	cat >&2 <<'EOF'
usage: internal/vm/run.sh [options]
  --pkg PATTERN      test package(s) to build with go test -c and run, e.g. ./kernel,
                     ./kernel/... or a package in a nested module (repeatable)
  --run REGEX        -test.run for every test binary
  --bench REGEX      run benchmarks only: -test.run=^$ -test.bench=REGEX -test.benchmem
  --arg FLAG         extra flag for every test binary, e.g. --arg -test.benchtime=1x (repeatable)
  --bin PKG[:DEST]   go build PKG (CGO_ENABLED=0) into the VM at DEST
                     (default /usr/local/bin/<last path element>) (repeatable)
  --extra SRC:DEST   copy a host file or directory into the VM at DEST (repeatable)
  --script FILE      run FILE with sh -e inside the VM after the tests (repeatable)
  --host-bin PROG    copy a host program and its shared libraries into the VM (repeatable)
  --timeout SECS     kill the VM after SECS seconds (default 600)
  --test-timeout D   -test.timeout for each binary (default: --timeout minus 30s)
  --mem MB, --smp N  VM memory (default 1024) and CPUs (default 2)
  --keep             keep the work directory (overlay, initrd, console log)
EOF
	exit 2
}

PKGS=() BINS=() EXTRAS=() SCRIPTS=() TEST_ARGS=()
HOST_BINS=(ipvsadm ip tc)
RUN_RE='' BENCH_RE='' TIMEOUT=600 TEST_TIMEOUT='' MEM=1024 SMP=2 KEEP=''
while [ $# -gt 0 ]; do
	case $1 in
	--pkg) PKGS+=("${2:?}") ;;
	--run) RUN_RE=${2?} ;;
	--bench) BENCH_RE=${2:?} ;;
	--arg) TEST_ARGS+=("${2:?}") ;;
	--bin) BINS+=("${2:?}") ;;
	--extra) EXTRAS+=("${2:?}") ;;
	--script) SCRIPTS+=("${2:?}") ;;
	--host-bin) HOST_BINS+=("${2:?}") ;;
	--timeout) TIMEOUT=${2:?} ;;
	--test-timeout) TEST_TIMEOUT=${2:?} ;;
	--mem) MEM=${2:?} ;;
	--smp) SMP=${2:?} ;;
	--keep) KEEP=1; shift; continue ;;
	-h | --help) usage ;;
	*) echo "vm: unknown option $1" >&2; usage ;;
	esac
	shift 2 || usage
done
[[ $TIMEOUT =~ ^[0-9]+$ ]] || usage
[ -n "$TEST_TIMEOUT" ] || TEST_TIMEOUT=$((TIMEOUT > 60 ? TIMEOUT - 30 : TIMEOUT))s

for tool in qemu-system-x86_64 cpio gzip depmod; do
	PATH=$PATH:/usr/sbin:/sbin command -v "$tool" >/dev/null 2>&1 ||
		vm_die "$tool is missing; run make deps (internal/tools/install-deps.sh) as root"
done
mkdir -p "$VM_CACHE"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/seesaw-vm.XXXXXX")
if [ -n "$KEEP" ]; then vm_log "work directory kept: $WORK"; else trap 'rm -rf "$WORK"' EXIT; fi

t0=$(date +%s.%N)
kernel_ensure
base_ensure
overlay_build "$WORK"
t1=$(date +%s.%N)
vm_log "prepared kernel $KERNEL_VER and initramfs in $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')s"
qemu_run "$WORK"
