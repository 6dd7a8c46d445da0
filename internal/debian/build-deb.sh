#!/usr/bin/env bash
# Builds the Debian package of seesaw-reconcile with dpkg-deb:
#   OUT/seesaw_VERSION_ARCH.deb   (OUT: first argument, default dist)
# Contents: /usr/sbin/seesaw-reconcile (static, CGO_ENABLED=0), the systemd
# unit in /usr/lib/systemd/system (examples/systemd, with /usr paths), ip_vs at
# boot in /usr/lib/modules-load.d, the docs, and the sample configuration
# examples/dr-web/lb1 in /etc/seesaw as conffiles. The maintainer scripts
# never enable, start or restart the daemon (see docs/operations.md).
# GOARCH picks the architecture (amd64, arm64, 386, arm); DEB_VERSION the
# version (default 0.0~gitYYYYMMDD.COMMIT of HEAD).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-dist}
here=internal/debian
fail() { echo "build-deb: $*" >&2; exit 1; }
command -v dpkg-deb >/dev/null || fail "dpkg-deb not found (apt-get install dpkg)"

goarch=${GOARCH:-$(go env GOARCH)}
case $goarch in
  amd64 | arm64) arch=$goarch ;;
  386) arch=i386 ;;
  arm) arch=armhf ;;
  *) fail "no Debian architecture for GOARCH=$goarch" ;;
esac
version=${DEB_VERSION:-0.0~git$(git log -1 --format=%cd --date=format:%Y%m%d).$(git rev-parse --short=12 HEAD)}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pkg=$work/seesaw
install -d -m 0755 "$pkg" "$pkg/DEBIAN" "$pkg/usr/sbin" "$pkg/usr/lib/systemd/system" \
  "$pkg/usr/lib/modules-load.d" "$pkg/usr/share/doc/seesaw" "$pkg/usr/share/lintian/overrides" "$pkg/etc/seesaw"

CGO_ENABLED=0 GOOS=linux GOARCH=$goarch go build -trimpath -ldflags='-s -w' \
  -o "$pkg/usr/sbin/seesaw-reconcile" ./cmd/seesaw-reconcile
chmod 0755 "$pkg/usr/sbin/seesaw-reconcile"
sed -e 's|/usr/local/sbin/|/usr/sbin/|g' -e 's|/usr/local/share/doc/|/usr/share/doc/|g' \
  examples/systemd/seesaw-reconcile.service > "$pkg/usr/lib/systemd/system/seesaw-reconcile.service"
sed 's|/etc/modules-load.d/|/usr/lib/modules-load.d/|' examples/systemd/modules-load.conf \
  > "$pkg/usr/lib/modules-load.d/seesaw.conf"
install -m 0644 README.md docs/*.md "$pkg/usr/share/doc/seesaw/"
install -m 0644 "$here/copyright" "$pkg/usr/share/doc/seesaw/copyright"
{
  printf 'seesaw (%s) unstable; urgency=medium\n\n' "$version"
  printf '  * Built from commit %s.\n\n' "$(git rev-parse HEAD)"
  printf ' -- seesaw maintainers <seesaw@example.org>  %s\n' "$(git log -1 --format=%cD)"
} | gzip -9n > "$pkg/usr/share/doc/seesaw/changelog.gz"
install -D -m 0644 "$here/lintian-overrides" "$pkg/usr/share/lintian/overrides/seesaw"
install -m 0644 examples/dr-web/lb1/*.yaml "$pkg/etc/seesaw/"
chmod 0644 "$pkg"/usr/lib/systemd/system/* "$pkg"/usr/lib/modules-load.d/*

(cd "$pkg" && find etc -type f | sort | sed 's|^|/|') > "$pkg/DEBIAN/conffiles"
(cd "$pkg" && find usr -type f | sort | xargs md5sum) > "$pkg/DEBIAN/md5sums"
sed -e "s|@VERSION@|$version|" -e "s|@ARCH@|$arch|" \
  -e "s|@SIZE@|$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)|" "$here/control.in" > "$pkg/DEBIAN/control"
install -m 0755 "$here/postinst" "$here/prerm" "$here/postrm" "$pkg/DEBIAN/"
chmod 0644 "$pkg/DEBIAN/control" "$pkg/DEBIAN/conffiles" "$pkg/DEBIAN/md5sums"

mkdir -p "$out"
deb=$out/seesaw_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb" >/dev/null
echo "$deb"
