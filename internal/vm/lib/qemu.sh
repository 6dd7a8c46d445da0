# shellcheck shell=bash
# Boots the VM under QEMU (TCG), streams its serial console, and exits with the
# status the guest reported on its marker line. Sourced by run.sh.

# qemu_run WORK boots WORK/initrd and exits with the tests' status.
qemu_run() {
	local work=$1 log=$VM_CACHE/last-console.log rc=0 t0 t1 status
	t0=$(date +%s.%N)
	vm_log "booting kernel $KERNEL_VER (TCG, ${MEM} MB, $SMP CPUs, timeout ${TIMEOUT}s); console log: $log"
	set +e
	timeout -k 5 "$TIMEOUT" qemu-system-x86_64 -accel tcg -cpu max -m "$MEM" -smp "$SMP" \
		-nographic -no-reboot -nic none -kernel "$KERNEL_DIR/boot/vmlinuz-$KERNEL_VER" -initrd "$work/initrd" \
		-append "console=ttyS0 quiet panic=-1" </dev/null 2>"$work/qemu.err" |
		tr -d '\r' | tee "$log" | qemu_filter
	rc=${PIPESTATUS[0]}
	set -e
	t1=$(date +%s.%N)
	local secs
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		echo "vm: FAIL: the VM did not finish within --timeout ${TIMEOUT}s and was killed; console log: $log" >&2
		exit 124
	fi
	if [ "$rc" -ne 0 ]; then
		cat "$work/qemu.err" >&2
		echo "vm: FAIL: qemu-system-x86_64 exited with status $rc after ${secs}s" >&2
		exit 1
	fi
	status=$(awk -v n="$VM_NONCE" '$1 == "SEESAW-VM-EXIT" && $2 == n { s = $3 } END { print s }' "$log")
	case $status in
	0) vm_log "all passed; VM ran ${secs}s" ;;
	[0-9]*) echo "vm: FAIL: the VM reported status $status after ${secs}s" >&2 ;;
	*)
		echo "vm: FAIL: the VM stopped after ${secs}s without reporting a status (kernel panic, or a test powered it off?); console log: $log" >&2
		status=1
		;;
	esac
	exit "$status"
}

# qemu_filter drops the firmware's banner and terminal escapes from the console
# output shown (the log keeps everything).
qemu_filter() {
	sed -u -e 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g' \
		-e '/^SeaBIOS (version/d; /^iPXE (http/d; /^Press Ctrl-B/d; /^Booting from ROM/d; /^$/d'
}
