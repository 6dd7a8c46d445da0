#!/usr/bin/env bash
# Checks `make install` into a scratch DESTDIR: the files land where the
# unit expects them, the installed binary validates the sample config, the
# unit passes `systemd-analyze verify` where systemd is installed, and a
# second install keeps an existing /etc/seesaw untouched.
set -euo pipefail
cd "$(dirname "$0")/../.."
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
fail() { echo "install-test: $*" >&2; exit 1; }

make -s install DESTDIR="$dest" >/dev/null
for f in usr/local/sbin/seesaw-reconcile etc/systemd/system/seesaw-reconcile.service \
  etc/modules-load.d/seesaw.conf etc/seesaw/node.yaml usr/local/share/doc/seesaw/operations.md; do
  [ -e "$dest/$f" ] || fail "missing $f"
done
[ -x "$dest/usr/local/sbin/seesaw-reconcile" ] || fail "binary not executable"
"$dest/usr/local/sbin/seesaw-reconcile" validate --config-dir "$dest/etc/seesaw" >/dev/null ||
  fail "installed sample config does not validate"
grep -q "^ExecStart=/usr/local/sbin/seesaw-reconcile run " "$dest/etc/systemd/system/seesaw-reconcile.service" ||
  fail "unit does not start the installed binary"
if command -v systemd-analyze >/dev/null 2>&1; then
  # verify resolves ExecStart paths on the host: point them at the scratch copy.
  sed "s|/usr/local/sbin/|$dest/usr/local/sbin/|g" "$dest/etc/systemd/system/seesaw-reconcile.service" \
    > "$dest/seesaw-reconcile.service"
  out=$(systemd-analyze verify "$dest/seesaw-reconcile.service" 2>&1) || fail "systemd-analyze verify: $out"
  if printf '%s\n' "$out" | grep -i "seesaw-reconcile.service" | grep -qiv "documentation"; then
    fail "systemd-analyze verify complains: $out"
  fi
fi
echo "# operator's edit" >> "$dest/etc/seesaw/node.yaml"
make -s install DESTDIR="$dest" >/dev/null
grep -q "operator's edit" "$dest/etc/seesaw/node.yaml" || fail "a second install overwrote /etc/seesaw"
echo "install-test: ok (make install into a scratch DESTDIR)"
