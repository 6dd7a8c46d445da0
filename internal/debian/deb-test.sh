#!/usr/bin/env bash
# Checks the Debian package (make debtest, part of make test): builds it,
# unpacks it into a scratch root with dpkg-deb -x and checks the files, the
# conffiles (exactly the files under /etc), the unit (StateDirectory,
# capabilities, /usr paths; systemd-analyze verify where systemd is
# installed), the modules-load file, that the packaged binary validates the
# packaged sample config, and lintian's errors where lintian is installed.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "deb-test: $*" >&2; exit 1; }

deb=$(bash internal/debian/build-deb.sh "$work/dist")
root=$work/root
dpkg-deb -x "$deb" "$root"
dpkg-deb -e "$deb" "$work/control"

[ "$(dpkg-deb -f "$deb" Package)" = seesaw ] || fail "package name is not seesaw"
for f in usr/sbin/seesaw-reconcile usr/lib/systemd/system/seesaw-reconcile.service \
  usr/lib/modules-load.d/seesaw.conf usr/share/doc/seesaw/operations.md usr/share/doc/seesaw/copyright \
  usr/share/doc/seesaw/changelog.gz etc/seesaw/node.yaml etc/seesaw/web.yaml; do
  [ -f "$root/$f" ] || fail "missing /$f"
done
[ -x "$root/usr/sbin/seesaw-reconcile" ] || fail "binary not executable"
"$root/usr/sbin/seesaw-reconcile" validate --config-dir "$root/etc/seesaw" >/dev/null ||
  fail "the packaged sample config does not validate with the packaged binary"

want=$(cd "$root" && find etc -type f | sort | sed 's|^|/|')
got=$(sort "$work/control/conffiles")
[ "$got" = "$want" ] || fail "conffiles are $(echo $got), want every file under /etc: $(echo $want)"

unit=$root/usr/lib/systemd/system/seesaw-reconcile.service
for line in "ExecStart=/usr/sbin/seesaw-reconcile run --config-dir /etc/seesaw --state-dir /var/lib/seesaw " \
  "ExecStartPre=/usr/sbin/seesaw-reconcile validate " "StateDirectory=seesaw" \
  "CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW CAP_IPC_LOCK" "AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW CAP_IPC_LOCK" \
  "ProtectSystem=strict" "Documentation=file:///usr/share/doc/seesaw/operations.md"; do
  grep -qF -- "$line" "$unit" || fail "unit lacks '$line'"
done
! grep -q "^ReadWritePaths=.*/etc/seesaw" "$unit" || fail "unit makes /etc/seesaw writable"
! grep -q "/usr/local/" "$unit" || fail "unit names /usr/local paths"
grep -qx "ip_vs" "$root/usr/lib/modules-load.d/seesaw.conf" || fail "modules-load file does not load ip_vs"

if command -v systemd-analyze >/dev/null 2>&1; then
  # verify resolves ExecStart paths on the host: point them at the scratch root.
  sed "s|/usr/sbin/|$root/usr/sbin/|g" "$unit" > "$work/seesaw-reconcile.service"
  out=$(systemd-analyze verify "$work/seesaw-reconcile.service" 2>&1) || fail "systemd-analyze verify: $out"
  if printf '%s\n' "$out" | grep -i "seesaw-reconcile.service" | grep -qiv "documentation"; then
    fail "systemd-analyze verify complains: $out"
  fi
else
  echo "deb-test: systemd-analyze not installed; unit not verified" >&2
fi

if command -v lintian >/dev/null 2>&1; then
  out=$(lintian --tag-display-limit 0 "$deb" 2>&1 || true)
  if printf '%s\n' "$out" | grep -q "^E:"; then
    fail "lintian errors:
$(printf '%s\n' "$out" | grep "^E:")"
  fi
else
  echo "deb-test: lintian not installed; skipped (make deps installs it)" >&2
fi
echo "deb-test: ok ($(basename "$deb"))"
