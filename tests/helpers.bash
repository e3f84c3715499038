# tests/helpers.bash - loaded by every .bats file (`load helpers`).
#
# requires WHAT...   skip the test, with the reason, unless the machine has
#                    it (like kselftest's KSFT_SKIP): root, userns, timens,
#                    cgroup_v1, cgroup_v2, systemd_session, controller:NAME,
#                    cmd:NAME
# as_nobody CMD...   run CMD as uid/gid 65534 with no extra groups
# make_nobody_bin    a copy of build/bin that uid 65534 can run (the clone
#                    may live under a directory only root can enter)
# host_ns KIND       the inode of the test's own KIND namespace

bats_load_library bats-support
bats_load_library bats-assert
bats_load_library bats-file

HOP_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# HOP_BIN: the programs under test (make sanitize points it at build/san/bin).
HOP_BIN=${HOP_BIN:-$HOP_TOP/build/bin}
HOP_ROOTFS=$HOP_TOP/build/rootfs/busybox
export HOP_TOP HOP_BIN HOP_ROOTFS
export PATH=$HOP_BIN:$HOP_TOP/build/bin:$PATH
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
		systemd_session)
			# A student's shell: systemd is PID 1, logind put us in
			# a session scope (e.g. user.slice/user-0.slice/session-3.scope).
			if [ "$(cat /proc/1/comm)" != systemd ] ||
				! grep -Eq '^0::/user\.slice/.*/session-[^/]+\.scope$' /proc/self/cgroup; then
				skip "needs a systemd login session (runs in make test-systemd)"
			fi
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

# Where CONTROLLER's hierarchy is mounted and our own cgroup in it, as
# "MOUNT OWN" (v1: the mount whose options name it; v2: the unified mount).
own_cgroup() {
	local controller=$1 mount own
	mount=$(awk -v c="$controller" '$3 == "cgroup" {
		n = split($4, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) { print $2; exit } }' /proc/self/mounts)
	if [ -n "$mount" ]; then
		own=$(awk -F: -v c="$controller" '{
			n = split($2, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) { print $3; exit } }' /proc/self/cgroup)
	else
		mount=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
		own=$(awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup)
	fi
	[ -n "$mount" ] || return 1
	[ "$own" = / ] && own=
	echo "$mount $own"
}

# Where our programs make groups for CONTROLLER, as "MOUNT BASE": our own
# cgroup, except on cgroup v2 below the root (a systemd login session),
# where a cgroup that holds processes cannot hand controllers down: there
# it is /hop at the top of the tree (labs/02-cgroups/cgroup.h).
base_cgroup() {
	local where mount own
	where=$(own_cgroup "$1") || return 1
	mount=${where%% *} own=${where#* }
	if [ -n "$own" ] && [ "$(stat -f -c %T "$mount")" = cgroup2fs ]; then
		own=/hop
	fi
	echo "$mount $own"
}

# The directory beneath which our groups for CONTROLLER are made.
base_cgroup_dir() {
	local where
	where=$(base_cgroup "$1") || return 1
	echo "${where% *}${where#* }"
}

# That base as libcgroup names groups: relative to the hierarchy's root, no
# leading slash ("" at the root).
base_cgroup_rel() {
	local where
	where=$(base_cgroup "$1") || return 1
	where=${where#* }
	echo "${where#/}"
}

# An absolute cgroupsPath is a path from each hierarchy's root (the OCI
# runtime spec), the same in every hierarchy. The one that is beneath our
# base in all of them: the deepest base, when the others hold it (on a
# hybrid host memory's own cgroup is deeper than cpu's, which is /).
from_root_base() {
	local c deepest="" b
	for c in memory cpu pids; do
		b=$(base_cgroup "$c") || continue
		b=${b#* }
		[ ${#b} -gt ${#deepest} ] && deepest=$b
	done
	for c in memory cpu pids; do
		b=$(base_cgroup "$c") || continue
		b=${b#* }
		case "$deepest/" in "$b/"*) ;; *) return 1 ;; esac
	done
	echo "$deepest"
}

# Remove the group NAME (beneath our base) and its children from every
# hierarchy, deepest first, even if a test failed half-way; the base at
# the top too, if nothing else is left in it.
cgroup_cleanup() {
	local name=$1 controller dir procs pid
	for controller in cpu cpuacct cpuset devices freezer memory pids; do
		dir=$(base_cgroup_dir "$controller") || continue
		if [ -d "$dir/$name" ]; then
			# A test that failed before its own kill leaves its
			# process pinning the group: kill what is in the group
			# (and only that), then wait until the group is empty.
			mapfile -t procs < <(find "$dir/$name" -name cgroup.procs)
			while read -r pid; do
				kill -KILL "$pid" 2>/dev/null || true
			done < <(cat "${procs[@]}" 2>/dev/null)
			wait_until "! cat ${procs[*]} 2>/dev/null | grep -q ." 5 || true
			find "$dir/$name" -depth -type d -exec rmdir {} + 2>/dev/null || true
		fi
		# Our base at the top goes with the last group in it.
		[ "$(base_cgroup_rel "$controller")" != hop ] || rmdir "$dir" 2>/dev/null || true
	done
}

# Day 05's fixture: a bundle in $B (the busybox root and runc spec's
# config.json, made by mini-runc spec, with no terminal: the tests have
# none), the state roots $STATE (mini-runc) and $RUNC_STATE (runc) of this
# test, and $T, an id of its own. Call it from setup; set_config edits the
# bundle, runc_ runs runc with the test's own state root.
runtime_bundle() {
	mkdir -p "$BATS_TEST_TMPDIR/bundle"
	# As the runtime names it in its messages: no symlink in the path.
	B=$(realpath "$BATS_TEST_TMPDIR/bundle")
	cp -a "$HOP_ROOTFS" "$B/rootfs"
	# Not made yet: a refusal before anything is made leaves it absent.
	STATE=$BATS_TEST_TMPDIR/state
	RUNC_STATE=$BATS_TEST_TMPDIR/runc-state
	T=t$$-$BATS_TEST_NUMBER
	(cd "$B" && mini-runc spec) && set_config '.process.terminal = false'
}

# Edit the bundle's config.json with a jq filter (--arg t: this test's id;
# more jq options after the filter).
set_config() {
	jq --arg t "$T" "${@:2}" "$1" "$B/config.json" >"$B/config.json.new" &&
		mv "$B/config.json.new" "$B/config.json"
}

runc_() {
	runc --root "$RUNC_STATE" "$@"
}

# Day 06's tree comparison, shared with day 07 (mini-ctr's snapshots
# against umoci and containerd): oci_layout runs tests/oci-layout.py;
# same_tree diffs the listings of two trees (type, mode, owner, size, link
# target, content, xattrs, hardlinks, mtimes), showing what differs.
oci_layout() {
	python3 "$HOP_TOP/tests/oci-layout.py" "$@"
}

same_tree() {
	diff -u <(oci_layout list "$1" --mtime) <(oci_layout list "$2" --mtime)
}
