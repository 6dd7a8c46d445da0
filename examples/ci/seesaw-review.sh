#!/usr/bin/env bash
# seesaw-review.sh: the review step of a seesaw configuration repository.
#
# Usage: seesaw-review.sh BASE_REV [NODE_DIR...]
#
# For every node directory (default: each directory holding a file with a
# top-level `node:` key) it validates the working tree's revision and prints
# `seesaw-reconcile diff` from BASE_REV (the pull request's base) to it: the
# changes each node will make when the files land. A node directory that
# does not exist at BASE_REV is new: it is validated only.
#
# Exit status: 0 when every node is valid (changes or not), 1 when a node's
# configuration is invalid or a plan is held back by the mass-delete guard.
# With GITHUB_STEP_SUMMARY set (GitHub Actions), the report is appended to
# the job summary as well.
#
# Needs: git, tar, and seesaw-reconcile on PATH (no root, no kernel, any OS).
set -uo pipefail

if [ $# -lt 1 ]; then
	echo "usage: $0 BASE_REV [NODE_DIR...]" >&2
	exit 2
fi
base=$1
shift
root=$(git rev-parse --show-toplevel) || exit 1
cd "$root" || exit 1

if [ $# -gt 0 ]; then
	nodes=("$@")
else
	mapfile -t nodes < <(git ls-files -- '*.yaml' '*.yml' | while read -r f; do
		grep -qE '^node:' "$f" 2>/dev/null && dirname "$f"
	done | sort -u)
fi
if [ ${#nodes[@]} -eq 0 ]; then
	echo "seesaw-review: no node directory (no file with a top-level node: key)" >&2
	exit 1
fi

old=$(mktemp -d)
trap 'rm -rf "$old"' EXIT
git archive "$base" | tar -x -C "$old" || { echo "seesaw-review: cannot read revision $base" >&2; exit 1; }

report=$(mktemp)
trap 'rm -rf "$old" "$report"' EXIT
status=0
for dir in "${nodes[@]}"; do
	{
		echo "## $dir"
		echo
		echo '```'
	} >>"$report"
	if ! seesaw-reconcile validate --config-dir "$dir" >>"$report" 2>&1; then
		status=1
	elif [ ! -d "$old/$dir" ]; then
		echo "new node: no revision at $base to compare with" >>"$report"
	else
		seesaw-reconcile diff --color never "$old/$dir" "$dir" >>"$report" 2>&1
		rc=$?
		# diff: 0 no changes, 2 changes, 1 invalid old revision or held plan.
		[ "$rc" -eq 1 ] && status=1
	fi
	echo '```' >>"$report"
	echo >>"$report"
done
# Name the old revision by BASE_REV, not by its temporary directory.
sed -i.bak "s|$old/|$base:|g" "$report" && rm -f "$report.bak"
cat "$report"
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
	cat "$report" >>"$GITHUB_STEP_SUMMARY"
fi
exit $status
