#!/usr/bin/env bats
# Day 03: chroot and its escape, pivot_root in a mount namespace, and what
# must be mounted inside a new root. Checked against what the kernel shows
# and side by side with coreutils chroot(1).
bats_require_minimum_version 1.5.0
load helpers

setup() {
	requires root
	[ -x "$HOP_ROOTFS/bin/sh" ] || skip "no busybox root: run make rootfs"
	# A copy of the busybox root per test, with the escape program in it.
	ROOT=$BATS_TEST_TMPDIR/root
	cp -a "$HOP_ROOTFS" "$ROOT"
	cp "$HOP_BIN/chroot-escape" "$ROOT/bin/"
	SECRET=$BATS_TEST_TMPDIR/host-secret
	echo "a file of the host" >"$SECRET"
	MOUNTS_BEFORE=$(wc -l </proc/self/mounts)
}

teardown() {
	# A command a failed test left running (its pid on the host).
	[ -z "${LEFT_PID:-}" ] || kill -KILL "$LEFT_PID" 2>/dev/null || true
	# Nothing a test did may stay mounted on the host.
	assert_equal "$(grep -c "$BATS_TEST_TMPDIR" /proc/self/mounts)" 0
}

@test "chroot: / is the new root for path lookups" {
	run -0 mini-chroot "$ROOT" /bin/cat /etc/hostname
	assert_output "$(cat "$ROOT/etc/hostname")"
	run -0 chroot "$ROOT" /bin/cat /etc/hostname
	assert_output "$(cat "$ROOT/etc/hostname")"
}

@test "chroot: a root process inside gets out and reads a host file" {
	run -0 mini-chroot "$ROOT" /bin/chroot-escape /bin/cat "$SECRET"
	assert_line "a file of the host"
	run -0 chroot "$ROOT" /bin/chroot-escape /bin/cat "$SECRET"
	assert_line "a file of the host"
}

@test "chroot: everything else is still the host's (processes, mounts)" {
	run -0 mini-chroot "$ROOT" /bin/probe pid
	refute_line "pid 1"
	# No /proc inside until someone mounts one there.
	run -0 mini-chroot "$ROOT" /bin/ls /proc
	assert_output ""
}

@test "--mount-proc then chroot: the new root has no /proc (the sources' one-liner)" {
	run -0 unshare -fpm --mount-proc chroot "$ROOT" /bin/ls /proc
	assert_output ""
	run -0 mini-unshare -fpm --mount-proc mini-chroot "$ROOT" /bin/ls /proc
	assert_output ""
}

@test "pivot_root: the same escape finds no way out" {
	run -1 mini-pivot-root "$ROOT" /bin/chroot-escape /bin/cat "$SECRET"
	assert_line --partial "can't open '$SECRET': No such file or directory"
	refute_line "a file of the host"
}

@test "pivot_root: the command is PID 1 and /proc shows only the inside" {
	run -0 mini-pivot-root "$ROOT" /bin/probe pid
	assert_line "pid 1"
	run -0 mini-pivot-root "$ROOT" /bin/sh -c 'ls /proc | grep -c "^[0-9]"'
	# sh, ls and grep at most: never the host's hundreds.
	[ "$output" -le 3 ]
}

@test "pivot_root: the mounts inside are the new root's and nothing of the host's" {
	run -0 mini-pivot-root "$ROOT" /bin/probe mounts
	assert_equal "$(awk '{ print $1 }' <<<"$output" | sort | tr '\n' ' ')" \
		"/ /dev /dev/pts /proc /sys "
	assert_line "/proc proc"
	assert_line "/dev tmpfs"
	assert_line "/dev/pts devpts"
	assert_line "/sys sysfs"
}

@test "pivot_root: a minimal /dev with working devices and its own ptys" {
	run -0 mini-pivot-root "$ROOT" /bin/ls /dev
	assert_equal "$(echo $output)" "fd full null ptmx pts random stderr stdin stdout tty urandom zero"
	run -0 mini-pivot-root "$ROOT" /bin/sh -c 'echo gone >/dev/null && head -c 4 /dev/zero | od -An -tx1 && head -c 16 /dev/urandom | wc -c'
	assert_line --index 0 --regexp '^ *00 00 00 00$'
	assert_line --index 1 16
	run -0 mini-pivot-root "$ROOT" /bin/sh -c 'awk "\$2 == \"/sys\" || \$2 == \"/dev/pts\" { split(\$4, o, \",\"); print \$2, o[1] }" /proc/self/mounts; ls /dev/pts'
	assert_line "/sys ro"
	assert_line "/dev/pts rw"
	# A new devpts instance: none of the host's ptys, only its ptmx.
	assert_line --index 2 ptmx
	assert_equal "${#lines[@]}" 3
}

@test "pivot_root: works in a user namespace too (devices bind-mounted, not made)" {
	requires userns
	run -0 mini-unshare -rn mini-pivot-root "$ROOT" /bin/sh -c 'id -u; echo x >/dev/null && echo ok'
	assert_output "$(printf '0\nok')"
	run -1 mini-unshare -r mini-pivot-root "$ROOT" /bin/true
	assert_line --index 0 --partial "mount sysfs on"
	assert_line --index 1 --partial "add -n"
}

@test "pivot_root: nothing is left mounted on the host afterwards" {
	run -0 mini-pivot-root "$ROOT" /bin/true
	assert_equal "$(wc -l </proc/self/mounts)" "$MOUNTS_BEFORE"
	run -0 mini-pivot-root -x "$ROOT" /bin/true
	[[ $output == *'pivot_root(".", ".") = 0'* ]]
	[[ $output == *'umount2(".", MNT_DETACH) = 0'* ]]
	[[ $output == *'mount("none", "/", NULL, MS_REC|MS_PRIVATE, NULL) = 0'* ]]
	# Every mount(2) with the names of its flags, strace-like.
	local r
	r=$(realpath "$ROOT")
	[[ $output == *"mount(\"$r\", \"$r\", NULL, MS_BIND|MS_REC, NULL) = 0"* ]]
	[[ $output == *"mount(\"proc\", \"$r/proc\", \"proc\", MS_NOSUID|MS_NODEV|MS_NOEXEC, NULL) = 0"* ]]
	[[ $output == *"mount(\"tmpfs\", \"$r/dev\", \"tmpfs\", MS_NOSUID|MS_NOEXEC, \"mode=755,size=1m\") = 0"* ]]
	[[ $output == *"mount(\"sysfs\", \"$r/sys\", \"sysfs\", MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC, NULL) = 0"* ]]
}

# Is any process still in the PID namespace whose inode is $1?
pidns_in_use() {
	local ns
	for ns in /proc/[0-9]*/ns/pid; do
		[ "$(stat -L -c %i "$ns" 2>/dev/null)" != "$1" ] || return 0
	done
	return 1
}

@test "signals: SIGTERM to mini-pivot-root ends the command too, PID 1 or not" {
	local pid ns status=0
	mini-pivot-root "$ROOT" /bin/sleep 30 3>&- &
	pid=$!
	# Its child: PID 1 of a new PID namespace, once it runs sleep.
	wait_until "LEFT_PID=\$(pgrep -P $pid) && [ \"\$(cat /proc/\$LEFT_PID/comm)\" = sleep ]"
	ns=$(stat -L -c %i "/proc/$LEFT_PID/ns/pid")
	[ "$ns" != "$(host_ns pid)" ]
	kill -TERM "$pid"
	# PID 1 has no handler: the kernel drops the SIGTERM passed on, and
	# SIGKILL follows after NS_STOP_SECONDS (5).
	wait_until "[ ! -e /proc/$LEFT_PID ]" 15 || fail "the command outlived mini-pivot-root"
	wait_until "! pidns_in_use $ns" 5 || fail "its PID namespace is still in use"
	wait "$pid" || status=$?
	assert_equal "$status" 137
	# A command that handles SIGTERM gets it, and its status is passed on.
	mini-pivot-root "$ROOT" /bin/sh -c 'trap "exit 7" TERM; sleep 30 & wait' 3>&- &
	pid=$!
	wait_until "LEFT_PID=\$(pgrep -P $pid) && pgrep -P \$LEFT_PID sleep >/dev/null"
	kill -TERM "$pid"
	status=0
	wait "$pid" || status=$?
	assert_equal "$status" 7
}

@test "exit status: passed on from the command" {
	run -3 mini-pivot-root "$ROOT" /bin/sh -c 'exit 3'
	run -3 mini-chroot "$ROOT" /bin/sh -c 'exit 3'
}

@test "bad input: a root that does not exist, or has no /bin/sh" {
	run -125 mini-chroot "$BATS_TEST_TMPDIR/nosuch" /bin/true
	assert_line --index 0 "mini-chroot: chroot $BATS_TEST_TMPDIR/nosuch: No such file or directory"
	run -125 chroot "$BATS_TEST_TMPDIR/nosuch" /bin/true
	run -1 mini-pivot-root "$BATS_TEST_TMPDIR/nosuch"
	assert_output "mini-pivot-root: root filesystem $BATS_TEST_TMPDIR/nosuch: No such file or directory"
	mkdir "$BATS_TEST_TMPDIR/empty"
	run -1 mini-pivot-root "$BATS_TEST_TMPDIR/empty"
	assert_output "mini-pivot-root: root filesystem $BATS_TEST_TMPDIR/empty has no /bin/sh: No such file or directory"
	run -1 mini-pivot-root
	assert_line --index 0 "mini-pivot-root: no new root given"
}

@test "bad input: an unknown option in a group is named by itself" {
	run -1 mini-pivot-root -zv "$ROOT"
	assert_line --index 0 "mini-pivot-root: unknown option '-z'"
	run -125 mini-chroot -vz "$ROOT"
	assert_line --index 0 "mini-chroot: unknown option '-z'"
	run -125 mini-chroot --bogus "$ROOT"
	assert_line --index 0 "mini-chroot: unknown option '--bogus'"
	run -125 mini-chroot --verbose=1 "$ROOT"
	assert_line --index 0 "mini-chroot: option '--verbose' takes no value"
}

@test "bad input: a command missing in the root exits 127 and names the root" {
	run -127 mini-pivot-root "$ROOT" /bin/nosuch
	assert_output "mini-pivot-root: exec /bin/nosuch in $ROOT: No such file or directory"
	run -127 mini-chroot "$ROOT" /bin/nosuch
	assert_output "mini-chroot: exec /bin/nosuch in $ROOT: No such file or directory"
	run -127 chroot "$ROOT" /bin/nosuch
}
