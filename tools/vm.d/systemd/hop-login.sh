# shellcheck shell=dash
# /etc/profile.d/hop-login.sh in the systemd lane's image (tools/vm
# systemd-test, systemd-shell): root's login shell on the serial console
# (agetty --autologin root) sources it. When the kernel's command line names
# the project (hop.top=DIR, added by tools/vm), it mounts the host's project
# directory read-only at that same path (9p tag hoptop) and runs the lane's
# guest script from there, in this shell's own session scope. Whatever
# happens, it runs once a boot (a second login is an ordinary shell).
# Changing this file rebuilds the image; the guest script itself is read
# from the share at every boot.
hop_login() {
	local words word top='' mode=''
	[ "$(tty)" = /dev/ttyS0 ] || return 0
	read -r words </proc/cmdline
	for word in $words; do
		case $word in
		hop.top=*) top=${word#hop.top=} ;;
		hop.mode=*) mode=${word#hop.mode=} ;;
		esac
	done
	[ -n "$top" ] && [ -n "$mode" ] || return 0
	mkdir /run/hop-login 2>/dev/null || return 0
	if ! modprobe -a 9pnet_virtio 9p ||
		! mkdir -p "$top" ||
		! mount -t 9p -o ro,trans=virtio,version=9p2000.L,cache=loose,msize=262144 hoptop "$top"; then
		echo "hop-login: cannot mount the project directory $top (9p tag hoptop)" >&2
		# isa-debug-exit: qemu exits with 2*125+1, "the guest could not start".
		printf '\175' | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
		return 0
	fi
	HOP_TOP=$top HOP_MODE=$mode bash "$top/tools/vm.d/systemd/guest"
	# What the guest wants of this shell (shell mode: cd, TERM).
	# shellcheck source=/dev/null
	[ ! -f /run/hop-login/env ] || . /run/hop-login/env
}
hop_login
unset -f hop_login
