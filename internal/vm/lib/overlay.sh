# shellcheck shell=bash
# Builds the per-run overlay initramfs: test binaries (go test -c), extra
# binaries (go build), copied files, scripts, and /vm/run, the list of
# run_test/run_script calls the guest's /init executes. The kernel unpacks it
# over the cached base (concatenated cpio archives). Sourced by run.sh.

# sq prints its argument single-quoted for sh.
sq() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

# mod_root DIR prints the directory of the go.mod that owns repo directory DIR.
mod_root() {
	local d
	d=$(cd "$REPO/$1" 2>/dev/null && pwd) || vm_die "package directory $1 does not exist"
	while [ "$d" != / ] && [ ! -f "$d/go.mod" ]; do d=${d%/*}; [ -n "$d" ] || d=/; done
	[ -f "$d/go.mod" ] || vm_die "no go.mod above $1"
	echo "$d"
}

# overlay_tests PATTERN builds the test binaries of PATTERN's packages into
# OV/vm/bin and appends their run_test calls to OV/vm/run.
overlay_tests() {
	local pattern=$1 dir mod rel list ipath pdir ntests name
	dir=${pattern%/...}
	mod=$(mod_root "$dir")
	rel=./$(realpath -m --relative-to="$mod" "$REPO/${dir#./}")
	[ "$dir" = "$pattern" ] || rel=$rel/...
	list=$("$GO" -C "$mod" list -f '{{.ImportPath}}|{{.Dir}}|{{len .TestGoFiles}}{{len .XTestGoFiles}}' "$rel") ||
		vm_die "go list $rel (in $mod) failed"
	while IFS='|' read -r ipath pdir ntests; do
		[ -n "$ipath" ] || continue
		if [ "$ntests" = 00 ]; then
			printf '?   \t%s\t[no test files]\n' "$ipath" >&2
			continue
		fi
		name=${ipath//\//_}
		CGO_ENABLED=0 GOOS=linux GOARCH=amd64 "$GO" -C "$mod" test -c -o "$OV/vm/bin/$name.test" "$ipath" ||
			vm_die "go test -c $ipath (in $mod) failed"
		[ -d "$pdir/testdata" ] && mkdir -p "$OV/vm/pkg/$name" && cp -a "$pdir/testdata" "$OV/vm/pkg/$name/"
		{
			printf 'run_test %s %s %s' "$(sq "$ipath")" "/vm/pkg/$name" "/vm/bin/$name.test"
			local a
			for a in "${RUN_ARGS[@]}"; do printf ' %s' "$(sq "$a")"; done
			echo
		} >>"$OV/vm/run"
	done <<<"$list"
}

# overlay_bin PKG[:DEST] builds a program into the overlay.
overlay_bin() {
	local pkg=${1%%:*} dest=${1#*:} mod
	[ "$dest" != "$1" ] || dest=/usr/local/bin/${pkg##*/}
	mod=$(mod_root "$pkg")
	mkdir -p "$OV${dest%/*}"
	CGO_ENABLED=0 GOOS=linux GOARCH=amd64 "$GO" -C "$mod" build -o "$OV$dest" "$(realpath "$REPO/$pkg")" ||
		vm_die "go build $pkg failed"
}

# overlay_extra SRC:DEST copies a host file or directory into the overlay.
overlay_extra() {
	local src=${1%%:*} dest=${1#*:}
	[ "$dest" != "$1" ] && [ "${dest#/}" != "$dest" ] || vm_die "--extra $1: want SRC:/absolute/dest"
	[ -e "$src" ] || vm_die "--extra $1: $src does not exist"
	mkdir -p "$OV${dest%/*}"
	cp -a "$src" "$OV$dest"
}

# overlay_build WORK writes WORK/initrd: the cached base plus this run's overlay.
overlay_build() {
	local work=$1 p i=0
	OV=$work/overlay
	mkdir -p "$OV/vm/bin" "$OV/vm/scripts"
	VM_NONCE=$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
	echo "VM_NONCE=$VM_NONCE" >"$OV/vm/run"
	RUN_ARGS=(-test.v -test.count=1 "-test.timeout=$TEST_TIMEOUT")
	[ -z "$RUN_RE" ] || RUN_ARGS+=("-test.run=$RUN_RE")
	[ -z "$BENCH_RE" ] || RUN_ARGS+=('-test.run=^$' "-test.bench=$BENCH_RE" -test.benchmem)
	RUN_ARGS+=("${TEST_ARGS[@]}")
	for p in "${PKGS[@]}"; do overlay_tests "$p"; done
	for p in "${BINS[@]}"; do overlay_bin "$p"; done
	for p in "${EXTRAS[@]}"; do overlay_extra "$p"; done
	for p in "${SCRIPTS[@]}"; do
		[ -f "$p" ] || vm_die "--script $p does not exist"
		i=$((i + 1))
		cp "$p" "$OV/vm/scripts/$i-${p##*/}"
		echo "run_script $(sq "script:${p##*/}") $(sq "/vm/scripts/$i-${p##*/}")" >>"$OV/vm/run"
	done
	(cd "$OV" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$work/overlay.cpio.gz" ||
		vm_die "cannot pack the overlay initramfs"
	cat "$BASE_IMG" "$work/overlay.cpio.gz" >"$work/initrd"
}
