# tests/helpers.bash - loaded by every .bats file (`load helpers`).
#
# requires WHAT...   skip the test, with the reason, unless the machine has
#                    it (like kselftest's KSFT_SKIP): root, userns, timens,
#                    cgroup_v1, cgroup_v2, controller:NAME, cmd:NAME
# as_nobody CMD...   run CMD as uid/gid 65534 with no extra groups
# make_nobody_bin    a copy of build/bin that uid 65534 can run (the clone
#                    may live under a directory only root can enter)
# host_ns KIND       the inode of the test's own KIND namespace

bats_load_library bats-support
bats_load_library bats-assert
bats_load_library bats-file

HOP_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HOP_BIN=$HOP_TOP/build/bin
HOP_ROOTFS=$HOP_TOP/build/rootfs/busybox
export HOP_TOP HOP_BIN HOP_ROOTFS
export PATH=$HOP_BIN:$PATH
# Tests compare messages, so they run in English unless they say otherwise.
export LANG=C.UTF-8
unset LC_ALL LC_MESSAGES LANGUAGE

# The cgroup mode, read from the mounts: v2, v1 or hybrid.
cgroup_mode() {
	local v1 v2
	v1=$(awk '$3 == "cgroup" { n++ } END { print n + 0 }' /proc/self/mounts)
	v2=$(awk '$3 == "cgroup2" && $2 == "/sys/fs/cgroup" { n++ } END { print n + 0 }' /proc/self/mounts)
	if [ "$v2" -gt 0 ] && [ "$v1" -eq 0 ]; then
		echo v2
	elif [ "$v1" -gt 0 ] && awk '$3 == "cgroup2" { f = 1 } END { exit !f }' /proc/self/mounts; then
		echo hybrid
	else
		echo v1
	fi
}

requires() {
	local need
	for need in "$@"; do
		case $need in
		root)
			[ "$(id -u)" -eq 0 ] || skip "needs root"
			;;
		userns)
			as_nobody unshare -U true 2>/dev/null ||
				skip "unprivileged user namespaces are disabled here"
			;;
		timens)
			[ -e /proc/self/ns/time ] || skip "needs time namespaces (Linux 5.6)"
			;;
		cgroup_v2)
			[ "$(cgroup_mode)" = v2 ] || skip "needs pure cgroup v2 (runs in make test-vm)"
			;;
		cgroup_v1)
			[ "$(cgroup_mode)" != v2 ] || skip "needs cgroup v1 controllers (runs on a hybrid host)"
			;;
		controller:*)
			grep -qw "^${need#controller:}" /proc/cgroups ||
				skip "needs the ${need#controller:} cgroup controller"
			;;
		cmd:*)
			command -v "${need#cmd:}" >/dev/null ||
				skip "needs the command ${need#cmd:}"
			;;
		*)
			echo "requires: unknown need '$need'" >&2
			return 1
			;;
		esac
	done
}

as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
}

# A directory anybody can read, holding copies of our programs: call it in
# setup_file (export HOP_NOBODY_BIN=$(make_nobody_bin)) and remove it in
# teardown_file.
make_nobody_bin() {
	local dir
	dir=$(mktemp -d /tmp/hop-test.XXXXXX) || return 1
	chmod 755 "$dir"
	cp "$HOP_BIN"/* "$dir"/
	echo "$dir"
}

host_ns() {
	stat -L -c %i "/proc/$$/ns/$1"
}

# Wait (at most $2 seconds, default 10) until the command $1 succeeds.
wait_until() {
	local deadline=$((SECONDS + ${2:-10}))
	until eval "$1"; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.05
	done
}
