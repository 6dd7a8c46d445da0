#!/usr/bin/env bash
# bench.sh: make bench. Runs every benchmark suite of the project, keeps each
# log under .cache/bench/, then prints one table of every figure (ours, the
# peer measured in the same run, ratio) from their BENCHROW lines.
set -uo pipefail
cd "$(dirname "$0")/../.."
GO=${GO:-go}
MAKE=${MAKE:-make}
out=.cache/bench
mkdir -p "$out"
rm -f "$out"/*.log
failed=()
suite() { # name command...
	local name=$1
	shift
	echo "== bench: $name: $*" >&2
	if ! "$@" 2>&1 | tee "$out/$name.log"; then
		failed+=("$name")
	fi
}
suite kernel "$MAKE" --no-print-directory kernelbench
suite scale "$MAKE" --no-print-directory scalebench
suite resync "$MAKE" --no-print-directory resynctest
suite reconcile "$MAKE" --no-print-directory bench-reconcile
suite edit "$MAKE" --no-print-directory bench-edit
suite vrrp "$MAKE" --no-print-directory vrrpbench
suite failover "$MAKE" --no-print-directory failbench
suite vrrp-vm "$MAKE" --no-print-directory vrrpvmbench
suite checks "$MAKE" --no-print-directory checksbench
suite ha "$MAKE" --no-print-directory hatest
suite ha-repeated "$MAKE" --no-print-directory habench
suite traffic "$MAKE" --no-print-directory bench-traffic
suite desired "$GO" test -count=1 -run '^$' -bench BenchmarkLoadTable -benchtime 1x ./desired
echo
echo "## make bench: every figure, ours vs the peer measured in the same run"
"$GO" run ./internal/tools/benchtable "$out"/*.log || failed+=(table)
if ((${#failed[@]})); then
	echo "bench: failed: ${failed[*]}" >&2
	exit 1
fi
