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
	# A name of this run's own: another run beside it has its own groups.
	T=t$$
}

# Kill only what this test made: the processes in its group hop-$T (and in
# the groups made beneath it), in each hierarchy; then its mini-container,
# which ends by itself once its container is gone (its command line names
# this test's own root, a fresh mktemp directory).
teardown() {
	local c dir pid
	for c in memory cpu pids; do
		dir=$(base_cgroup_dir "$c")/hop-$T
		[ -d "$dir" ] || continue
		for pid in $(find "$dir" -name cgroup.procs -exec cat {} + 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null || true
		done
	done
	if ! wait_until "! pgrep -f -- '--rootfs $ROOT' >/dev/null" 5; then
		pkill -KILL -f -- "--rootfs $ROOT" || true
	fi
	mini-container gc >/dev/null 2>&1 || true
	for name in "$T" seed; do cgroup_cleanup "hop-$name"; done
	assert_equal "$(grep -c "$ROOTDIR" /proc/self/mounts)" 0
	rm -rf "$ROOTDIR"
}

# The host pid of container $T's PID 1, once it runs probe: read from its
# own group, never by a name machine-wide.
container_pid() {
	local procs pid
	procs=$(base_cgroup_dir pids)/hop-$T/cgroup.procs
	wait_until "pid=\$(head -n 1 $procs 2>/dev/null) && [ -n \"\$pid\" ] &&
		[ \"\$(cat /proc/\$pid/comm 2>/dev/null)\" = probe ]" || return 1
	head -n 1 "$procs"
}

# The kernel's OOM-kill counter of container $T's memory group.
oom_kills() {
	local dir
	dir=$(base_cgroup_dir memory)/hop-$T
	if [ "$(cgroup_mode)" = v2 ]; then
		awk '$1 == "oom_kill" { print $2 }' "$dir/memory.events"
	else
		awk '$1 == "oom_kill" { print $2 }' "$dir/memory.oom_control"
	fi
}

# Nothing of any container is left: no state, no group.
assert_nothing_left() {
	run -0 find "$HOP_STATE_DIR" -mindepth 1
	assert_output ""
	run -0 find /sys/fs/cgroup -maxdepth 8 -type d -name "hop-$T"
	assert_output ""
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
	mini-container --rootfs "$ROOT" --name "$T" --memory 50M --cpus 0.5 --pids 64 \
		-- /bin/probe sleep 30 3>&- &
	pid=$(container_pid)
	dir=$(base_cgroup_dir pids)/hop-$T
	wait_until "grep -qx $pid $dir/cgroup.procs"
	assert_equal "$(cat "$dir/pids.max")" 64
	if [ "$(cgroup_mode)" = v2 ]; then
		assert_equal "$(cat "$(base_cgroup_dir memory)/hop-$T/memory.max")" 52428800
		assert_equal "$(cat "$(base_cgroup_dir cpu)/hop-$T/cpu.max")" "50000 100000"
	else
		assert_equal "$(cat "$(base_cgroup_dir memory)/hop-$T/memory.limit_in_bytes")" 52428800
		assert_equal "$(cat "$(base_cgroup_dir cpu)/hop-$T/cpu.cfs_quota_us")" 50000
	fi
	grep -qx "$pid" "$(base_cgroup_dir memory)/hop-$T/cgroup.procs"
	kill -TERM "$pid"
}

@test "its cgroup namespace: inside, its group is the root; outside, the real path" {
	local pid key
	mini-container --rootfs "$ROOT" --name "$T" -- /bin/sh -c \
		'cat /proc/self/cgroup >/inside; exec /bin/probe sleep 30' 3>&- &
	pid=$(container_pid)
	# The memory line: v1 names its hierarchy, v2 has one tree (0::).
	if [ "$(cgroup_mode)" = v2 ]; then key='^0::'; else key='^[0-9]+:([^:]*,)?memory(,[^:]*)?:'; fi
	run -0 grep -E "$key" "$ROOT/inside"
	assert_output --regexp ':/$'
	run -0 grep -E "$key" "/proc/$pid/cgroup"
	assert_output --regexp ":/(.*/)?hop-$T\$"
	kill -TERM "$pid"
}

@test "the OOM kill happens at the memory limit, and the kernel counts it" {
	local pid
	run -137 mini-container --rootfs "$ROOT" --memory 50M -- /bin/probe alloc 200
	run -0 mini-container --rootfs "$ROOT" --memory 50M -- /bin/probe alloc 20
	# Any SIGKILL gives 137: the group's own counter says it was the OOM
	# killer. PID 1 (sh) stays, so the group is there to be read.
	mini-container --rootfs "$ROOT" --name "$T" --memory 50M -- /bin/sh -c \
		'/bin/probe alloc 200; echo $? >/status; exec /bin/probe sleep 30' 3>&- &
	pid=$(container_pid)
	assert_equal "$(cat "$ROOT/status")" 137
	[ "$(oom_kills)" -ge 1 ]
	kill -TERM "$pid"
}

@test "pids: the fork over the limit fails" {
	run -1 mini-container --rootfs "$ROOT" --pids 5 -- /bin/probe fork 10
	assert_line "fork 5 failed: EAGAIN"
}

@test "signals reach PID 1 and the exit status is passed on" {
	run -3 mini-container --rootfs "$ROOT" -- /bin/sh -c 'exit 3'
	local pid status=0
	mini-container --rootfs "$ROOT" --name "$T" -- /bin/probe sleep 30 3>&- &
	pid=$!
	container_pid >/dev/null
	kill -TERM "$pid" # to mini-container: it passes it on
	wait "$pid" || status=$?
	assert_equal "$status" 0 # probe sleep ends cleanly on SIGTERM
}

@test "SIGINT (^C) reaches PID 1 too, though it sits in a session of its own" {
	local pid status=0
	# A shell started in the background ignores SIGINT: mini-container
	# must take it back to hear it.
	mini-container --rootfs "$ROOT" --name "$T" -- \
		/bin/sh -c 'trap "exit 7" INT; while :; do sleep 1; done' 3>&- &
	pid=$!
	# Two processes in the group: the shell has set its trap and sleeps.
	wait_until "[ \$(wc -l <$(base_cgroup_dir pids)/hop-$T/cgroup.procs) -ge 2 ] 2>/dev/null"
	kill -INT "$pid"
	wait "$pid" || status=$?
	assert_equal "$status" 7 # the shell's own trap ran, inside
}

@test "after kill -9 of the command nothing of it is left" {
	local pid ctr status=0
	mini-container --rootfs "$ROOT" --name "$T" --memory 50M -- /bin/probe sleep 30 3>&- &
	ctr=$!
	pid=$(container_pid)
	kill -KILL "$pid"
	wait "$ctr" || status=$?
	assert_equal "$status" 137
	for c in memory cpu pids; do
		assert_dir_not_exists "$(base_cgroup_dir $c)/hop-$T"
	done
	assert_dir_not_exists "$HOP_STATE_DIR/$T"
	assert_not_exists "/proc/$pid"
}

@test "after kill -9 of mini-container, gc (or the next run) removes what it left" {
	local ctr status=0
	mini-container --rootfs "$ROOT" --name "$T" -- /bin/probe sleep 30 3>&- &
	ctr=$!
	container_pid >/dev/null
	kill -KILL "$ctr"
	wait "$ctr" || status=$?
	assert_equal "$status" 137
	# The container died with it (PR_SET_PDEATHSIG); its group and state stay.
	wait_until "[ ! -s $(base_cgroup_dir pids)/hop-$T/cgroup.procs ]"
	assert_dir_exists "$(base_cgroup_dir pids)/hop-$T"
	assert_dir_exists "$HOP_STATE_DIR/$T"
	run -0 mini-container -v gc
	assert_output --partial "clean up container $T: its owner is gone"
	assert_dir_not_exists "$(base_cgroup_dir pids)/hop-$T"
	assert_dir_not_exists "$HOP_STATE_DIR/$T"
}

@test "--user: root inside is uid 100000 outside" {
	requires userns
	local pid
	mini-container --rootfs "$ROOT" --user --name "$T" -- /bin/probe sleep 30 3>&- &
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
	# The subnet and its broadcast address, refused before anything is
	# made: no bridge, no cgroup, no state.
	run -1 mini-container --rootfs "$ROOT" --name "$T" --ip 10.89.0.0/24 --bridge hop-$T -- /bin/true
	assert_output "mini-container: '10.89.0.0/24' is the subnet itself, not an address on it"
	run -1 mini-container --rootfs "$ROOT" --name "$T" --ip 10.89.0.255/24 --bridge hop-$T -- /bin/true
	assert_output "mini-container: '10.89.0.255/24' is the subnet's broadcast address, not a host's"
	run ! ip link show "hop-$T"
	assert_dir_not_exists "$(base_cgroup_dir pids)/hop-$T"
	assert_dir_not_exists "$HOP_STATE_DIR/$T"
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
	run -1 mini-container --rootfs "$ROOT" --name "$T" --memory 10Q -- /bin/true
	assert_output "mini-container: --memory: bad size '10Q' (use bytes, with K, M, G or T, or max)"
	run -1 mini-container --rootfs "$ROOT" --name "$T" --cpus 0 -- /bin/true
	assert_output --partial "--cpus: bad value '0'"
	run -1 mini-container --rootfs "$ROOT" --name "$T" --pids -1 -- /bin/true
	assert_output --partial "--pids: bad value '-1'"
	run -1 mini-container --rootfs "$ROOT" --name "$T" --hostname "$(printf 'h%.0s' {1..65})" -- /bin/true
	assert_output "mini-container: hostname is 65 bytes; the kernel allows 64"
	run -1 mini-container --rootfs "$ROOT" --name ../x -- /bin/true
	assert_output --partial "bad name '../x'"
	run -1 mini-container --rootfs "$ROOT"
	assert_output "mini-container: no command given (-- COMMAND...)"
	run -1 mini-container --bogus
	assert_line --index 0 "mini-container: unknown option '--bogus'"
	# Nothing was left: no state, no group.
	assert_nothing_left
}

@test "bad input: --cpus and --pids out of range are refused before anything is made" {
	local value
	for value in nan inf 1e300 -1 0 0.001 1e2 0x10; do
		run -1 mini-container --rootfs "$ROOT" --name "$T" --cpus "$value" -- /bin/true
		assert_output "mini-container: --cpus: bad value '$value' (a number of CPUs, from 0.01 to 8192)"
	done
	for value in 99999999999999999999 0 -3 1x 4194305; do
		run -1 mini-container --rootfs "$ROOT" --name "$T" --pids "$value" -- /bin/true
		assert_output "mini-container: --pids: bad value '$value' (a whole number from 1 to 4194304)"
	done
	mkdir -p "$HOP_STATE_DIR"
	assert_nothing_left
}

@test "bad input: an unknown option in a group is named by its letter" {
	run -1 mini-container -zv --rootfs "$ROOT" -- /bin/true
	assert_line --index 0 "mini-container: unknown option '-z'"
	run -1 mini-container -vz --rootfs "$ROOT" -- /bin/true
	assert_line --index 0 "mini-container: unknown option '-z'"
}

@test "bad input: a state directory that is a link, not root's or not 0700 is refused" {
	mkdir -m 0700 "$BATS_TEST_TMPDIR/real"
	ln -s "$BATS_TEST_TMPDIR/real" "$BATS_TEST_TMPDIR/link"
	HOP_STATE_DIR=$BATS_TEST_TMPDIR/link run -1 mini-container --rootfs "$ROOT" --name "$T" -- /bin/true
	assert_output "mini-container: state directory $BATS_TEST_TMPDIR/link is a symbolic link; refusing to use it"
	mkdir -m 0755 "$BATS_TEST_TMPDIR/open"
	HOP_STATE_DIR=$BATS_TEST_TMPDIR/open run -1 mini-container gc
	assert_output "mini-container: state directory $BATS_TEST_TMPDIR/open has mode 0755, not 0700; refusing to use it"
	mkdir -m 0700 "$BATS_TEST_TMPDIR/theirs"
	chown 65534 "$BATS_TEST_TMPDIR/theirs"
	HOP_STATE_DIR=$BATS_TEST_TMPDIR/theirs run -1 mini-container --rootfs "$ROOT" --name "$T" -- /bin/true
	assert_output "mini-container: state directory $BATS_TEST_TMPDIR/theirs is owned by uid 65534, not root; refusing to use it"
	HOP_STATE_DIR=relative run -1 mini-container gc
	assert_output "mini-container: HOP_STATE_DIR=relative: not an absolute path"
	run -0 find /sys/fs/cgroup -maxdepth 8 -type d -name "hop-$T"
	assert_output ""
}

@test "the child's own setup error is printed: 125, 126, 127 as runc and docker run" {
	run -127 mini-container --rootfs "$ROOT" -- /bin/nosuch
	assert_output "mini-container: exec /bin/nosuch in $ROOT: No such file or directory"
	echo 'not a program' >"$ROOT/etc/plain"
	run -126 mini-container --rootfs "$ROOT" --name "$T" -- /etc/plain
	assert_output "mini-container: exec /etc/plain in $ROOT: Permission denied"
	requires userns
	# Root of the user namespace (uid 100000) cannot enter a 0700 root.
	chmod 700 "$ROOTDIR"
	run -125 mini-container --rootfs "$ROOT" --name "$T" --user -- /bin/true
	assert_line --index 0 --regexp "^mini-container: .*: Permission denied$"
	assert_line --index 1 --partial "hint: with --user, root inside is uid 100000 outside"
	assert_nothing_left
}

@test "a child that dies before the go byte: the parent lives, says so and cleans up" {
	requires cmd:strace
	local ctr
	# The child's first call is prctl(PR_SET_PDEATHSIG): strace kills it
	# there, before it reads the go byte; the parent makes no prctl call.
	run -125 strace -f -o /dev/null -e trace=prctl -e inject=prctl:signal=SIGKILL \
		mini-container --rootfs "$ROOT" --name "$T" -- /bin/true
	assert_output "mini-container: the container's first process ended before it ran the command (status 137): No child processes"
	assert_nothing_left
	# SIGPIPE is ignored: a write to a reader that went away fails (EPIPE).
	mini-container --rootfs "$ROOT" --name "$T" -- /bin/probe sleep 30 3>&- &
	ctr=$!
	container_pid >/dev/null
	(( 0x$(awk '/^SigIgn:/ { print $2 }' "/proc/$ctr/status") & (1 << (13 - 1)) ))
}

@test "the command has a session of its own and no fd of ours beyond 0 1 2" {
	local pid
	# ls opens /proc/self/fd itself: that is the fourth.
	run -0 mini-container --rootfs "$ROOT" -- /bin/ls /proc/self/fd 4</dev/null 5>&2
	assert_output "$(printf '0\n1\n2\n3')"
	mini-container --rootfs "$ROOT" --name "$T" -- /bin/probe sleep 30 3>&- &
	pid=$(container_pid)
	# /proc/PID/stat: field 6 is the session, field 7 the controlling tty.
	assert_equal "$(awk '{ print $6 }' "/proc/$pid/stat")" "$pid"
	[ "$(awk '{ print $6 }' "/proc/$pid/stat")" != "$(awk '{ print $6 }' /proc/$$/stat)" ]
	assert_equal "$(awk '{ print $7 }' "/proc/$pid/stat")" 0
	kill -TERM "$pid"
}

@test "gc: a dead owner's processes in the memory, cpu and pids groups, and child groups, all go" {
	requires cgroup_v1
	local ctr c p pids=()
	mini-container --rootfs "$ROOT" --name "$T" -- /bin/probe sleep 30 3>&- &
	ctr=$!
	container_pid >/dev/null
	kill -KILL "$ctr"
	wait "$ctr" || true
	wait_until "[ ! -s $(base_cgroup_dir pids)/hop-$T/cgroup.procs ]"
	# What a container left running: a process in each v1 group, and a
	# group it made itself beneath its own, with a process in it.
	for c in memory cpu pids; do
		probe sleep 30 3>&- &
		pids+=($!)
		echo $! >"$(base_cgroup_dir $c)/hop-$T/cgroup.procs"
	done
	mkdir "$(base_cgroup_dir memory)/hop-$T/made-inside"
	probe sleep 30 3>&- &
	pids+=($!)
	echo $! >"$(base_cgroup_dir memory)/hop-$T/made-inside/cgroup.procs"
	run -0 mini-container -v gc
	assert_output --partial "clean up container $T: its owner is gone"
	for c in memory cpu pids; do
		assert_dir_not_exists "$(base_cgroup_dir $c)/hop-$T"
	done
	assert_dir_not_exists "$HOP_STATE_DIR/$T"
	for p in "${pids[@]}"; do
		wait "$p" || true
		assert_not_exists "/proc/$p"
	done
}

@test "gc goes by the owner's lock, not its pid, and goes on past a broken state" {
	local pid ctr
	mini-container --rootfs "$ROOT" --name "$T" -- /bin/probe sleep 30 3>&- &
	ctr=$!
	pid=$(container_pid)
	# A pid that is dead (or reused) changes nothing: the lock is held.
	echo 999999 >"$HOP_STATE_DIR/$T/lock"
	run -0 mini-container -v gc
	refute_output --partial "clean up container $T"
	assert_exists "/proc/$pid"
	# A state nobody holds is cleaned, even if its pid is alive (ours);
	# one that cannot be cleaned is reported, and gc goes on.
	mkdir -m 0700 "$HOP_STATE_DIR/broken" "$HOP_STATE_DIR/stale"
	echo $$ >"$HOP_STATE_DIR/stale/lock"
	echo $$ >"$HOP_STATE_DIR/broken/lock"
	echo "memory /elsewhere ../escape" >"$HOP_STATE_DIR/broken/cgroups"
	run -0 mini-container -v gc
	assert_output --partial "gc: container broken: bad line in a state's cgroups: 'memory /elsewhere ../escape'"
	assert_output --partial "clean up container stale: its owner is gone"
	assert_dir_not_exists "$HOP_STATE_DIR/stale"
	rm -r "$HOP_STATE_DIR/broken"
	kill -TERM "$pid"
	wait "$ctr"
}

@test "a group the container made in its own cgroup does not fail the next run" {
	local pid c
	mini-container --rootfs "$ROOT" --name "$T" -- /bin/probe sleep 30 3>&- &
	pid=$(container_pid)
	for c in memory cpu pids; do
		mkdir -p "$(base_cgroup_dir $c)/hop-$T/made-inside"
	done
	echo "$pid" >"$(base_cgroup_dir memory)/hop-$T/made-inside/cgroup.procs"
	kill -TERM "$pid"
	wait_until "[ ! -d $HOP_STATE_DIR/$T ]"
	for c in memory cpu pids; do
		assert_dir_not_exists "$(base_cgroup_dir $c)/hop-$T"
	done
	run -0 mini-container --rootfs "$ROOT" --name "$T" -- /bin/true
}
