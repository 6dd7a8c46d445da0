#!/usr/bin/env bash
# Installs the Debian packages the test suites need, only when missing.
# Called by `make deps` (and so by `make test`). Needs root and apt.
set -euo pipefail

# command-to-check:package
need=(
  qemu-system-x86_64:qemu-system-x86
  busybox:busybox-static
  ipvsadm:ipvsadm
  keepalived:keepalived
  cpio:cpio
  insmod:kmod
  ip:iproute2
  xz:xz-utils
  sysctl:procps
  chromium:chromium
  systemd-analyze:systemd
  dpkg-deb:dpkg
  lintian:lintian
  birdc:bird2
  vtysh:frr
  cyclictest:rt-tests
)

missing=()
for pair in "${need[@]}"; do
  cmd=${pair%%:*} pkg=${pair#*:}
  if ! command -v "$cmd" >/dev/null 2>&1 && ! [ -x "/usr/sbin/$cmd" ] && ! [ -x "/sbin/$cmd" ] && ! [ -x "/bin/$cmd" ]; then
    missing+=("$pkg")
  fi
done
# busybox-static specifically (a dynamic busybox is useless in an initramfs).
dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
echo "install-deps: installing missing packages: ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: not root; install these packages by hand: ${missing[*]}" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps: no apt-get on this machine; install by hand: ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || { echo "install-deps: apt-get update failed" >&2; exit 1; }
apt-get install -y -qq --no-install-recommends "${missing[@]}" || {
  echo "install-deps: apt-get install ${missing[*]} failed" >&2; exit 1; }
