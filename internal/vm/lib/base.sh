# shellcheck shell=bash
# Builds the cached base initramfs: busybox-static with its applet links, the
# host programs in HOST_BINS (ipvsadm, iproute2's ip, ...) with every shared
# library ldd lists and the dynamic loader, the kernel modules of modules.list
# with their dependencies (ordered from modules.dep), and the guest /init.
# Sourced by run.sh; sets BASE_IMG.

# base_key prints a hash of everything the base image is built from.
base_key() {
	{
		echo "$KERNEL_DIR $KERNEL_VER"
		cat "$VM_DIR/modules.list" "$VM_DIR/guest/init" "$VM_DIR/lib/base.sh" "$VM_DIR/lib/modules.sh"
		local b
		for b in busybox "${HOST_BINS[@]}"; do
			echo "$b"
			sha256sum "$(host_path "$b")"
		done
	} | sha256sum | cut -c1-16
}

# host_path NAME prints the absolute path of a host program (also found in sbin).
host_path() {
	case $1 in
	/*) echo "$1" ;;
	*) PATH=$PATH:/usr/sbin:/sbin command -v "$1" || vm_die "host program $1 not found (run make deps)" ;;
	esac
}

# base_ensure sets BASE_IMG, building it when the cache has none for base_key.
base_ensure() {
	local key
	key=$(base_key)
	BASE_IMG=$VM_CACHE/base-$key.cpio.gz
	[ -s "$BASE_IMG" ] && return
	vm_log "building base initramfs $BASE_IMG"
	local stage
	stage=$(mktemp -d "$VM_CACHE/.base.XXXXXX")
	base_busybox "$stage"
	local b
	for b in "${HOST_BINS[@]}"; do
		base_host_bin "$stage" "$(host_path "$b")"
	done
	base_modules "$stage"
	base_profile "$stage"
	install -m 0755 "$VM_DIR/guest/init" "$stage/init"
	(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -6 >"$BASE_IMG.tmp" ||
		vm_die "cannot pack the base initramfs (cpio, gzip)"
	mv "$BASE_IMG.tmp" "$BASE_IMG"
	rm -rf "$stage"
	find "$VM_CACHE" -maxdepth 1 -name 'base-*.cpio.gz' ! -name "base-$key.cpio.gz" -delete
}

# base_busybox installs busybox-static and a symlink for each of its applets.
base_busybox() {
	local stage=$1 bb applet
	bb=$(host_path busybox)
	ldd "$bb" >/dev/null 2>&1 && vm_die "$bb is dynamically linked; install busybox-static"
	mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,etc,dev,proc,sys,tmp,run,root,var}
	ln -s ../run "$stage/var/run"
	cp "$bb" "$stage/bin/busybox"
	for applet in $("$stage/bin/busybox" --list-full); do
		[ -e "$stage/$applet" ] || ln -s /bin/busybox "$stage/$applet"
	done
}

# base_host_bin copies a host program to the same path, replacing any busybox
# applet of that name, with the libraries and loader ldd names.
base_host_bin() {
	local stage=$1 bin=$2 lib
	rm -f "$stage$bin" "$stage/bin/${bin##*/}" "$stage/sbin/${bin##*/}" "$stage/usr/bin/${bin##*/}" "$stage/usr/sbin/${bin##*/}"
	mkdir -p "$stage${bin%/*}"
	cp -L "$bin" "$stage$bin"
	for lib in $(ldd "$bin" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'); do
		mkdir -p "$stage${lib%/*}"
		cp -L "$lib" "$stage$lib"
	done
}

# base_profile writes /etc/vm-profile: Debian's busybox sh runs its own applet
# for a name like ip even when PATH holds another program, so the guest's
# shells define a function per host program that shadows an applet.
base_profile() {
	local stage=$1 b p
	echo "# sourced by /init and by --script shells: host programs over busybox applets" >"$stage/etc/vm-profile"
	for b in "${HOST_BINS[@]}"; do
		p=$(host_path "$b")
		"$stage/bin/busybox" --list | grep -qx "${p##*/}" || continue
		echo "${p##*/}() { $p \"\$@\"; }" >>"$stage/etc/vm-profile"
	done
}
