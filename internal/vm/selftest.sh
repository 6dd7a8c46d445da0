#!/usr/bin/env bash
# Tests the VM runner itself (about a minute): a passing run with a package
# without tests, a nested module, --bin, --extra and --script must exit 0; a
# failing test must exit 1; a failing script must exit 1; a hung VM must be
# killed and exit 124.
set -uo pipefail
cd "$(dirname "$0")/../.."
run=internal/vm/run.sh td=internal/vm/testdata
failures=0

# expect STATUS DESCRIPTION ARGS... runs run.sh with ARGS and checks its exit status.
expect() {
	local want=$1 what=$2
	shift 2
	echo "=== selftest: $what (want exit $want)"
	bash "$run" "$@"
	local got=$?
	if [ "$got" -eq "$want" ]; then
		echo "--- selftest ok: $what"
	else
		echo "--- selftest FAIL: $what: exit $got, want $want"
		failures=$((failures + 1))
	fi
}

expect 0 "passing tests, no-test package, nested module, --bin, --extra, --script" \
	--pkg ./internal/vm/smoke --run 'TestIPVSRejectsDuplicate|TestNestedModuleInVM' --pkg ./desired --pkg ./$td/nested \
	--bin ./$td/nested/hello --extra $td/extra.txt:/etc/seesaw-extra/extra.txt --script $td/check.sh
expect 1 "a failing test" --pkg ./$td/fail --pkg ./internal/vm/smoke --run 'TestFailsInVM|TestIPVSRejectsDuplicate'
expect 1 "a failing script" --script $td/fail.sh
expect 124 "a hung VM" --script $td/hang.sh --timeout 20

if [ "$failures" -ne 0 ]; then
	echo "FAIL	internal/vm selftest: $failures case(s) wrong"
	exit 1
fi
echo "ok  	internal/vm selftest"
