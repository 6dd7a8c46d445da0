# shellcheck shell=bash
# Copies the kernel modules named in modules.list, and every module they depend
# on, into the initramfs (with their own modules.dep) and writes /etc/vm-modules: one "path params" line per
# module, dependencies first, in the order the guest's /init insmods them.
# Sourced by run.sh.

# base_modules STAGE resolves modules.list against modules.dep into STAGE.
base_modules() {
	local stage=$1 mdir=$KERNEL_DIR/lib/modules/$KERNEL_VER
	declare -A dep=() path=() seen=()
	local line key name
	while IFS= read -r line; do
		key=${line%%:*}
		name=${key##*/}
		name=${name%.ko}
		path[${name//-/_}]=$key
		dep[$key]=${line#*:}
	done <"$mdir/modules.dep"

	mkdir -p "$stage/lib/modules/$KERNEL_VER"
	: >"$stage/etc/vm-modules"
	local params optional
	while read -r name params; do
		case $name in '' | '#'*) continue ;; esac
		optional=
		[ "${name#\?}" != "$name" ] && optional=1 && name=${name#\?}
		name=${name//-/_}
		if [ -z "${path[$name]:-}" ]; then
			[ -n "$optional" ] || vm_die "kernel $KERNEL_VER has no module $name (required by $VM_DIR/modules.list)"
			vm_log "kernel $KERNEL_VER has no module $name (optional, skipped)"
			continue
		fi
		mod_add "${path[$name]}" "$params"
	done <"$VM_DIR/modules.list"
	# modules.dep for the copied modules, so modprobe and rmmod work in the guest.
	cp "$mdir/modules.builtin" "$mdir/modules.builtin.modinfo" "$mdir/modules.order" "$stage/lib/modules/$KERNEL_VER/" 2>/dev/null || true
	depmod -b "$stage" "$KERNEL_VER" || vm_die "depmod of the initramfs modules failed"
}

# mod_add KEY PARAMS adds a module after its dependencies (depth first). It
# uses dep, seen, stage and mdir from base_modules.
mod_add() {
	local key=$1 params=$2 d
	[ -n "${seen[$key]:-}" ] && return
	seen[$key]=1
	for d in ${dep[$key]}; do
		mod_add "$d" ""
	done
	mkdir -p "$stage/lib/modules/$KERNEL_VER/${key%/*}"
	cp "$mdir/$key" "$stage/lib/modules/$KERNEL_VER/$key"
	echo "$key $params" >>"$stage/etc/vm-modules"
}
