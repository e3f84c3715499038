#!/usr/bin/env bats
# Runs last: the suite must leave nothing behind on the machine.
bats_require_minimum_version 1.5.0
load helpers

@test "no cgroup named hop* is left anywhere under /sys/fs/cgroup" {
	run -0 find /sys/fs/cgroup -maxdepth 8 -type d -name 'hop*'
	assert_output ""
}

@test "no mount of ours is left (build/, /run/hop, hop-* sources)" {
	run -0 awk -v top="$HOP_TOP/build" \
		'index($2, top) == 1 || index($2, "/run/hop") == 1 || $1 ~ /^hop-/' /proc/self/mounts
	assert_output ""
}

@test "no network namespace or link named hop* is left" {
	requires cmd:ip
	run -0 sh -c 'ip netns list | grep "^hop" || true'
	assert_output ""
	run -0 sh -c 'ip -o link | grep -E "^[0-9]+: hop" || true'
	assert_output ""
}

@test "no process runs one of our programs" {
	local exe pid left=()
	for pid in /proc/[0-9]*; do
		exe=$(readlink "$pid/exe" 2>/dev/null) || continue
		case $exe in
		"$HOP_TOP"/build/* | /tmp/hop-test.*) left+=("${pid#/proc/}:$exe") ;;
		esac
	done
	assert_equal "${left[*]}" ""
}

@test "no state directory or scratch copy is left" {
	run -0 sh -c 'ls -d /run/hop/containers/* /tmp/hop-test.* 2>/dev/null || true'
	assert_output ""
}
