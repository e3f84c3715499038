#!/usr/bin/env bats
# Day 04: mini-container, days 01-03 in one program. Checked against what
# the kernel shows, side by side with the sources' one-liner made to work
# with the real tools (cgexec + unshare + chroot).
bats_require_minimum_version 1.5.0
load helpers

setup() {
	requires root controller:memory controller:cpu controller:pids
	[ -x "$HOP_ROOTFS/bin/sh" ] || skip "no busybox root: run make rootfs"
	# Under a directory that root of a user namespace (uid 100000) can enter.
	ROOTDIR=$(mktemp -d /tmp/hop-test.XXXXXX)
	chmod 755 "$ROOTDIR"
	ROOT=$ROOTDIR/root
	cp -a "$HOP_ROOTFS" "$ROOT"
	echo "inside the container's root" >"$ROOT/etc/marker"
	export HOP_STATE_DIR=$BATS_TEST_TMPDIR/state
}

teardown() {
	local pid
	# Anything a test started and left running goes first.
	for pid in $(pgrep -f "$ROOTDIR" || true) $(pgrep -f "^/bin/probe sleep 30" || true); do
		kill -KILL "$pid" 2>/dev/null || true
	done
	mini-container gc >/dev/null 2>&1 || true
	for name in t seed; do cgroup_cleanup "hop-$name"; done
	assert_equal "$(grep -c "$ROOTDIR" /proc/self/mounts)" 0
	rm -rf "$ROOTDIR"
}

# Wait for the container's command (its pid on the host) to be running.
container_pid() {
	wait_until "pgrep -f '^/bin/probe sleep 30' >/dev/null" || return 1
	pgrep -f "^/bin/probe sleep 30" | head -n 1
}

@test "the command is PID 1, with the hostname and the root asked for" {
	run -0 mini-container --rootfs "$ROOT" --hostname box -- /bin/sh -c \
		'echo $$; hostname; cat /etc/marker; ls /proc | grep -c "^[0-9]"'
	assert_line --index 0 1
	assert_line --index 1 box
	assert_line --index 2 "inside the container's root"
	[ "${lines[3]}" -le 3 ]
	[ "$(cat /proc/sys/kernel/hostname)" != box ]
}

@test "all the namespaces are new; only lo, down, in the network" {
	local kind host
	run -0 mini-container --rootfs "$ROOT" -- /bin/probe ns
	for kind in cgroup ipc mnt net pid uts; do
		host=$(host_ns "$kind")
		refute_line "$kind $host"
	done
	assert_line "user $(host_ns user)"
	run -0 mini-container --rootfs "$ROOT" -- /bin/sh -c 'ls /sys/class/net; cat /sys/class/net/lo/operstate'
	assert_output "$(printf 'lo\ndown')"
}

@test "its cgroup holds its processes and the limits are in the files" {
	local pid dir
	mini-container --rootfs "$ROOT" --name t --memory 50M --cpus 0.5 --pids 64 \
		-- /bin/probe sleep 30 3>&- &
	pid=$(container_pid)
	dir=$(base_cgroup_dir pids)/hop-t
	wait_until "grep -qx $pid $dir/cgroup.procs"
	assert_equal "$(cat "$dir/pids.max")" 64
	if [ "$(cgroup_mode)" = v2 ]; then
		assert_equal "$(cat "$(base_cgroup_dir memory)/hop-t/memory.max")" 52428800
		assert_equal "$(cat "$(base_cgroup_dir cpu)/hop-t/cpu.max")" "50000 100000"
	else
		assert_equal "$(cat "$(base_cgroup_dir memory)/hop-t/memory.limit_in_bytes")" 52428800
		assert_equal "$(cat "$(base_cgroup_dir cpu)/hop-t/cpu.cfs_quota_us")" 50000
	fi
	grep -qx "$pid" "$(base_cgroup_dir memory)/hop-t/cgroup.procs"
	# Inside, its cgroup namespace makes that group look like the root.
	kill -TERM "$pid"
}

@test "the OOM kill happens at the memory limit" {
	run -137 mini-container --rootfs "$ROOT" --memory 50M -- /bin/probe alloc 200
	run -0 mini-container --rootfs "$ROOT" --memory 50M -- /bin/probe alloc 20
}

@test "pids: the fork over the limit fails" {
	run -1 mini-container --rootfs "$ROOT" --pids 5 -- /bin/probe fork 10
	assert_line "fork 5 failed: EAGAIN"
}

@test "signals reach PID 1 and the exit status is passed on" {
	run -3 mini-container --rootfs "$ROOT" -- /bin/sh -c 'exit 3'
	local pid status=0
	mini-container --rootfs "$ROOT" --name t -- /bin/probe sleep 30 3>&- &
	pid=$!
	container_pid >/dev/null
	kill -TERM "$pid" # to mini-container: it passes it on
	wait "$pid" || status=$?
	assert_equal "$status" 0 # probe sleep ends cleanly on SIGTERM
}

@test "after kill -9 of the command nothing of it is left" {
	local pid ctr status=0
	mini-container --rootfs "$ROOT" --name t --memory 50M -- /bin/probe sleep 30 3>&- &
	ctr=$!
	pid=$(container_pid)
	kill -KILL "$pid"
	wait "$ctr" || status=$?
	assert_equal "$status" 137
	for c in memory cpu pids; do
		assert_dir_not_exists "$(base_cgroup_dir $c)/hop-t"
	done
	assert_dir_not_exists "$HOP_STATE_DIR/t"
	run -1 pgrep -f "probe sleep 30"
}

@test "after kill -9 of mini-container, gc (or the next run) removes what it left" {
	local ctr status=0
	mini-container --rootfs "$ROOT" --name t -- /bin/probe sleep 30 3>&- &
	ctr=$!
	container_pid >/dev/null
	kill -KILL "$ctr"
	wait "$ctr" || status=$?
	assert_equal "$status" 137
	# The container died with it (PR_SET_PDEATHSIG); its group and state stay.
	wait_until "! pgrep -f 'probe sleep 30' >/dev/null"
	assert_dir_exists "$(base_cgroup_dir pids)/hop-t"
	assert_dir_exists "$HOP_STATE_DIR/t"
	run -0 mini-container -v gc
	assert_output --partial "clean up container t: its owner is gone"
	assert_dir_not_exists "$(base_cgroup_dir pids)/hop-t"
	assert_dir_not_exists "$HOP_STATE_DIR/t"
}

@test "--user: root inside is uid 100000 outside" {
	requires userns
	local pid
	mini-container --rootfs "$ROOT" --user --name t -- /bin/probe sleep 30 3>&- &
	pid=$(container_pid)
	wait_until "grep -q 100000 /proc/$pid/uid_map"
	assert_equal "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")" 100000
	kill -TERM "$pid"
	run -0 mini-container --rootfs "$ROOT" --user -- /bin/probe ids
	assert_line "uid 0 0"
	assert_line --regexp '^uid_map 0 100000 65536$'
}

@test "network: with --ip it pings its bridge and nothing else; the veth goes at the end" {
	requires cmd:ip
	# The "host" side lives in a network namespace made for this test, so
	# nothing is added to the machine's own network.
	run -0 unshare --net sh -c '
		mini-container --rootfs "$1" --ip 10.88.0.2/24 -- /bin/sh -c "
			cat /sys/class/net/eth0/operstate /sys/class/net/lo/operstate
			ping -c1 -W2 10.88.0.1 >/dev/null && echo bridge reached
			ping -c1 -W1 10.99.0.2 >/dev/null 2>&1 || echo other unreachable"
		ip -o link | awk -F": " "{ print \$2 }" | sort' sh "$ROOT"
	assert_output "$(printf 'up\nunknown\nbridge reached\nother unreachable\nhop0\nlo')"
}

@test "bad input: --ip must be an address with a prefix, not the gateway's" {
	run -1 mini-container --rootfs "$ROOT" --ip 10.88.0.2 -- /bin/true
	assert_output "mini-container: '10.88.0.2' is not an IPv4 address with a prefix length, like 10.88.0.2/24"
	run -1 mini-container --rootfs "$ROOT" --ip 10.88.0.1/24 -- /bin/true
	assert_output "mini-container: --ip 10.88.0.1/24 is the gateway's address; use another"
	run -1 mini-container --rootfs "$ROOT" --bridge hop9 -- /bin/true
	assert_output "mini-container: --bridge needs --ip"
}

@test "-x shows the clone with its namespace flags and the cgroup writes" {
	run -0 mini-container -x --rootfs "$ROOT" --pids 10 -- /bin/true
	assert_output --partial "clone(CLONE_NEWNS|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWPID|CLONE_NEWNET|SIGCHLD) = "
	assert_output --regexp 'write\(".*/hop-c[0-9]+/pids.max", "10"\) = 2'
	assert_output --partial 'pivot_root(".", ".") = 0'
}

@test "the sources' one-liner with the real tools, made to work, does the same" {
	requires cmd:cgcreate cmd:cgexec
	local mem cpu
	mem=$(base_cgroup_rel memory) cpu=$(base_cgroup_rel cpu)
	# libcgroup one controller at a time, each at its own path.
	cgcreate -g "memory:${mem:+$mem/}hop-seed" -g "cpu:${cpu:+$cpu/}hop-seed"
	cgset -r memory.limit_in_bytes=100000000 "${mem:+$mem/}hop-seed" 2>/dev/null ||
		cgset -r memory.max=100000000 "${mem:+$mem/}hop-seed"
	# The chroot'ed shell must mount /proc itself, and it is not PID 1.
	run -0 cgexec -g "memory:${mem:+$mem/}hop-seed" -g "cpu:${cpu:+$cpu/}hop-seed" \
		unshare -uinpUrf --mount-proc sh -c \
		"hostname hop-seed && chroot $ROOT /bin/sh -c 'mount -t proc proc /proc; hostname; echo \$\$; cat /etc/marker; cat /proc/self/cgroup'"
	assert_line --index 0 hop-seed
	refute_line --index 1 1 # the shell that ran chroot is PID 1
	assert_line --index 2 "inside the container's root"
	assert_line --regexp "memory:/.*hop-seed$|^0::/.*hop-seed$"
	cgdelete -g "memory:${mem:+$mem/}hop-seed" -g "cpu:${cpu:+$cpu/}hop-seed"
	# Ours: PID 1, /proc mounted for it, the group removed without asking.
	run -0 mini-container --rootfs "$ROOT" --hostname hop-seed --memory 100000000 -- \
		/bin/sh -c 'hostname; echo $$; cat /etc/marker'
	assert_output "$(printf 'hop-seed\n1\ninside the container%ss root' "'")"
}

@test "bad input: clear errors, and nothing is made" {
	run -1 mini-container --rootfs "$BATS_TEST_TMPDIR/nosuch" -- /bin/sh
	assert_output "mini-container: root filesystem $BATS_TEST_TMPDIR/nosuch: No such file or directory"
	mkdir "$BATS_TEST_TMPDIR/empty"
	run -1 mini-container --rootfs "$BATS_TEST_TMPDIR/empty" -- /bin/sh
	assert_output --partial "has no /bin/sh"
	run -127 mini-container --rootfs "$ROOT" -- /bin/nosuch
	assert_output "mini-container: exec /bin/nosuch in $ROOT: No such file or directory"
	run -1 mini-container --rootfs "$ROOT" --memory 10Q -- /bin/true
	assert_output "mini-container: --memory: bad size '10Q' (use bytes, with K, M, G or T, or max)"
	run -1 mini-container --rootfs "$ROOT" --cpus 0 -- /bin/true
	assert_output --partial "--cpus: bad value '0'"
	run -1 mini-container --rootfs "$ROOT" --pids -1 -- /bin/true
	assert_output --partial "--pids: bad value '-1'"
	run -1 mini-container --rootfs "$ROOT" --hostname "$(printf 'h%.0s' {1..65})" -- /bin/true
	assert_output "mini-container: hostname is 65 bytes; the kernel allows 64"
	run -1 mini-container --rootfs "$ROOT" --name ../x -- /bin/true
	assert_output --partial "bad name '../x'"
	run -1 mini-container --rootfs "$ROOT"
	assert_output "mini-container: no command given (-- COMMAND...)"
	run -1 mini-container --bogus
	assert_line --index 0 "mini-container: unknown option '--bogus'"
	# Nothing was left: no state, no group.
	run -0 find "$HOP_STATE_DIR" -mindepth 1
	assert_output ""
	run -0 find /sys/fs/cgroup -maxdepth 8 -type d -name 'hop-c*'
	assert_output ""
}
