#!/usr/bin/env bats
# Runs last: the suite must leave nothing behind on the machine. The checks
# are the functions of tests/leaks.bash; each is proven first-hand by a
# self-test below that leaks that one thing on purpose, sees it reported,
# and removes it again.
bats_require_minimum_version 1.5.0
load helpers
load leaks

# The checks: what the suite left.

@test "no cgroup of ours is left (hop* in any hierarchy)" {
	run -0 leaks_cgroups
	assert_output ""
}

@test "no mount of ours is left (build/, /run/hop, test tmpdirs, hop-* sources)" {
	run -0 leaks_mounts
	assert_output ""
}

@test "no network namespace or link named hop* is left" {
	requires cmd:ip
	run -0 leaks_netns
	assert_output ""
	run -0 leaks_links
	assert_output ""
}

@test "no process of ours runs: our programs" {
	run -0 leaks_processes_ours
	assert_output ""
}

@test "no process of ours runs: in a cgroup of ours" {
	run -0 leaks_processes_in_our_cgroups
	assert_output ""
}

@test "no process of ours runs: in a PID namespace we made" {
	run -0 leaks_processes_in_pid_namespaces
	assert_output ""
}

@test "no process of ours runs: an engine or registry we started (conmon, containerd, its shims, docker-registry)" {
	run -0 leaks_engine_processes
	assert_output ""
}

@test "no process of ours runs: an owner named in container state" {
	run -0 leaks_processes_in_state
	assert_output ""
}

@test "no state directory or scratch copy is left" {
	run -0 leaks_state
	assert_output ""
	run -0 sh -c 'ls -d /tmp/hop-test.* 2>/dev/null || true'
	assert_output ""
}

# The self-tests: each check sees the one thing leaked on purpose. They
# look for their own line only: other runs may have things of theirs now.

# refute_reported TEXT: no line of $output starts with TEXT.
refute_reported() {
	[[ $'\n'$output != *$'\n'"$1"* ]] || fail "still reported: $1"
}

setup() {
	[[ $BATS_TEST_DESCRIPTION == "self-test"* ]] || return 0
	requires root
	LEAK=hop-lk$$ # a name of ours for this run, short enough for a link
}

teardown() {
	[[ $BATS_TEST_DESCRIPTION == "self-test"* ]] || return 0
	# Whatever a self-test that failed half-way leaked, and only that.
	local pid
	for pid in ${LEAK_PIDS:-}; do kill -KILL "$pid" 2>/dev/null || true; done
	for pid in ${LEAK_PIDS:-}; do wait "$pid" 2>/dev/null || true; done
	[ -z "${LEAK_MOUNT:-}" ] || umount "$LEAK_MOUNT" 2>/dev/null || true
	[ -z "${LEAK_GROUP:-}" ] || rmdir "$LEAK_GROUP" 2>/dev/null || true
	[ -z "${LEAK_BASE:-}" ] || rmdir "$LEAK_BASE" 2>/dev/null || true
	ip netns delete "$LEAK" 2>/dev/null || true
	ip link delete "$LEAK" 2>/dev/null || true
}

# make_leak_group: LEAK_GROUP, a group of ours beneath the base (made too,
# and remembered in LEAK_BASE, if it is /sys/fs/cgroup/hop and not there).
make_leak_group() {
	local base
	base=$(base_cgroup_dir pids)
	if [ ! -d "$base" ]; then
		mkdir "$base"
		LEAK_BASE=$base
	fi
	LEAK_GROUP=$base/$LEAK
	mkdir "$LEAK_GROUP"
}

@test "self-test: a cgroup of ours is reported" {
	make_leak_group
	run -0 leaks_cgroups
	assert_line "$LEAK_GROUP: a cgroup of ours"
	rmdir "$LEAK_GROUP"
	[ -z "${LEAK_BASE:-}" ] || rmdir "$LEAK_BASE"
	run -0 leaks_cgroups
	refute_reported "$LEAK_GROUP:"
}

@test "self-test: a mount in a test's directory, and one named hop-*, are reported" {
	LEAK_MOUNT=$BATS_TEST_TMPDIR/mnt
	mkdir "$LEAK_MOUNT"
	mount -t tmpfs none "$LEAK_MOUNT"
	run -0 leaks_mounts
	assert_line "$LEAK_MOUNT: none mounted there"
	umount "$LEAK_MOUNT"
	# Outside every path of ours: found by its source's name.
	LEAK_MOUNT=$(mktemp -d /tmp/leak-self-test.XXXXXX)
	mount -t tmpfs "$LEAK" "$LEAK_MOUNT"
	run -0 leaks_mounts
	assert_line "$LEAK_MOUNT: $LEAK mounted there"
	umount "$LEAK_MOUNT"
	rmdir "$LEAK_MOUNT"
	run -0 leaks_mounts
	refute_reported "$BATS_TEST_TMPDIR/mnt:"
	refute_reported "$LEAK_MOUNT:"
}

@test "self-test: a network namespace and a veth of ours are reported" {
	requires cmd:ip
	ip netns add "$LEAK"
	ip link add "$LEAK" type veth peer name "${LEAK}p"
	run -0 leaks_netns
	assert_line "$LEAK: a network namespace of ours"
	run -0 leaks_links
	assert_line "$LEAK: a link of ours"
	assert_line "${LEAK}p: a link of ours"
	ip netns delete "$LEAK"
	ip link delete "$LEAK"
	run -0 leaks_netns
	refute_reported "$LEAK:"
	run -0 leaks_links
	refute_reported "$LEAK"
}

@test "self-test: our program, and the PID namespace it made, are reported" {
	local parent child
	mini-unshare -fp sleep 60 3>&- &
	parent=$! LEAK_PIDS=$parent
	wait_until "child=\$(pgrep -P $parent sleep)"
	LEAK_PIDS="$parent $child"
	run -0 leaks_processes_ours
	assert_line "$parent: runs $HOP_BIN/mini-unshare"
	run -0 leaks_processes_in_pid_namespaces
	assert_line --regexp "^$child: in the PID namespace pid:\[[0-9]+\]; its init $child was started by $HOP_BIN/mini-unshare\$"
	kill -TERM "$parent"
	wait "$parent" || true
	run -0 leaks_processes_ours
	refute_reported "$parent: "
	run -0 leaks_processes_in_pid_namespaces
	refute_reported "$child: "
}

@test "self-test: a process working for build/engines is reported, whatever it runs" {
	local pid
	# A shell with our path among its arguments, as conmon -b BUNDLE and
	# containerd --config FILE have theirs.
	sh -c 'sleep 60; :' "$HOP_TOP/build/engines/containerd/config.toml" 3>&- &
	pid=$! LEAK_PIDS=$pid
	run -0 leaks_engine_processes
	assert_line "$pid: sh works for build/engines"
	kill "$pid"
	wait "$pid" || true
	run -0 leaks_engine_processes
	refute_reported "$pid: "
}

@test "self-test: a registry serving a config of ours is reported, one of someone else's is not" {
	local pid other
	mkdir -p "$BATS_TEST_TMPDIR/reg"
	sh -c 'sleep 60; :' "docker-registry serve" "$BATS_TEST_TMPDIR/reg/config.yml" 3>&- &
	pid=$!
	sh -c 'sleep 60; :' "docker-registry serve" /etc/docker/registry/config.yml 3>&- &
	other=$! LEAK_PIDS="$pid $other"
	run -0 leaks_engine_processes
	assert_line "$pid: a registry of ours ($BATS_TEST_TMPDIR/reg/config.yml)"
	refute_reported "$other: "
	kill "$pid" "$other"
	wait "$pid" "$other" || true
	run -0 leaks_engine_processes
	refute_reported "$pid: "
}

@test "self-test: a container whose parent is gone is reported, though it runs busybox" {
	[ -x "$HOP_ROOTFS/bin/sh" ] || skip "no busybox root: run make rootfs"
	local root=$BATS_TEST_TMPDIR/root parent child
	cp -a "$HOP_ROOTFS" "$root"
	mini-pivot-root "$root" /bin/sleep 60 3>&- &
	parent=$! LEAK_PIDS=$parent
	wait_until "child=\$(pgrep -P $parent) && [ \"\$(cat /proc/\$child/comm)\" = sleep ]"
	LEAK_PIDS="$parent $child"
	# SIGKILL cannot be passed on: the container is left alone, its
	# /proc/PID/exe a busybox that is no path of ours.
	kill -KILL "$parent"
	wait "$parent" || true
	run -0 leaks_processes_ours
	refute_reported "$child: "
	wait_until "[ \"\$(awk '/^PPid:/ { print \$2 }' /proc/$child/status)\" != $parent ]"
	run -0 leaks_processes_in_pid_namespaces
	assert_line --regexp "^$child: in the PID namespace pid:\[[0-9]+\]; its init $child lost its parent\$"
	kill -KILL "$child"
	wait_until "[ ! -e /proc/$child ]"
	run -0 leaks_processes_in_pid_namespaces
	refute_reported "$child: "
}

@test "self-test: a process in a cgroup of ours is reported, whatever it runs" {
	local pid
	make_leak_group
	sleep 60 3>&- &
	pid=$! LEAK_PIDS=$pid
	echo "$pid" >"$LEAK_GROUP/cgroup.procs"
	run -0 leaks_processes_in_our_cgroups
	assert_line "$pid: in the cgroup $LEAK_GROUP"
	run -0 leaks_processes_ours
	refute_reported "$pid: "
	kill -KILL "$pid"
	wait "$pid" || true
	wait_until "[ ! -s $LEAK_GROUP/cgroup.procs ]"
	rmdir "$LEAK_GROUP"
	[ -z "${LEAK_BASE:-}" ] || rmdir "$LEAK_BASE"
	run -0 leaks_processes_in_our_cgroups
	refute_reported "$pid: "
}

@test "self-test: container state, and the owner it names, are reported" {
	local state=$BATS_TEST_TMPDIR/state/$LEAK pid
	mkdir -p "$state"
	sleep 60 3>&- &
	pid=$! LEAK_PIDS=$pid
	echo "$pid" >"$state/owner"
	run -0 leaks_state
	assert_line "$state: container state"
	run -0 leaks_processes_in_state
	assert_line "$pid: the owner in $state"
	kill -KILL "$pid"
	wait "$pid" || true
	run -0 leaks_processes_in_state
	refute_reported "$pid: "
	rm -r "$BATS_TEST_TMPDIR/state"
	run -0 leaks_state
	refute_reported "$state:"
	# The runtime's own root too (HOP_STATE_DIR as a test sets it).
	mkdir -p "$BATS_TEST_TMPDIR/elsewhere/$LEAK"
	HOP_STATE_DIR=$BATS_TEST_TMPDIR/elsewhere run -0 leaks_state
	assert_line "$BATS_TEST_TMPDIR/elsewhere/$LEAK: container state"
}
