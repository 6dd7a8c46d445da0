# shellcheck shell=bash
# Copies the kernel modules named in modules.list, and every module they depend
# on, into the initramfs and writes /etc/vm-modules: one "path params" line per
# module, dependencies first, in the order the guest's /init insmods them.
# Sourced by run.sh.

# base_modules STAGE resolves modules.list against modules.dep into STAGE.
base_modules() {
	local stage=$1 mdir=$KERNEL_DIR/lib/modules/$KERNEL_VER
	declare -A dep=() path=() seen=()
	local line key
	while IFS= read -r line; do
		key=${line%%:*}
		path[$(mod_name "$key")]=$key
		dep[$key]=${line#*:}
	done <"$mdir/modules.dep"

	mkdir -p "$stage/lib/modules/$KERNEL_VER"
	: >"$stage/etc/vm-modules"
	local name params optional
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

# mod_name PATH prints the module name of a module file path (dashes as underscores).
mod_name() {
	local n=${1##*/}
	n=${n%.ko}
	echo "${n//-/_}"
}
