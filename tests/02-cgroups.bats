#!/usr/bin/env bats
# Day 02: mini-cgroup, checked against the files the kernel shows under
# /sys/fs/cgroup and side by side with libcgroup (cgcreate, cgset, cgget).
# Runs on the hybrid host (v1 controllers) and in the VM lane (pure v2).
bats_require_minimum_version 1.5.0
load helpers

G=hop-test # every group of this file lives beneath it

setup() {
	requires root controller:memory controller:cpu controller:pids
	V2=0
	[ "$(cgroup_mode)" = v2 ] && V2=1
	# The native name of each knob on this machine.
	if [ "$V2" = 1 ]; then
		MEM_LIMIT=memory.max CPU_WEIGHT=cpu.weight
	else
		MEM_LIMIT=memory.limit_in_bytes CPU_WEIGHT=cpu.shares
	fi
}

teardown() {
	cgroup_cleanup "$G"
	# The session that "v2, from a cgroup that holds processes" makes.
	if [ -n "${FAKE_SESSION:-}" ]; then
		find /sys/fs/cgroup/hop/"$G" -depth -type d -exec rmdir {} + 2>/dev/null || true
		rmdir /sys/fs/cgroup/hop "$FAKE_SESSION" 2>/dev/null || true
	fi
}

# A memory group with LIMIT and no swap, so going over it means the OOM killer.
memory_group() {
	mini-cgroup create -g "memory:$G/$1"
	mini-cgroup set -r "memory.max=$2" -g "memory:$G/$1" 2>/dev/null
	if [ -e "$(base_cgroup_dir memory)/$G/$1/memory.swap.max" ] ||
		[ -e "$(base_cgroup_dir memory)/$G/$1/memory.memsw.limit_in_bytes" ]; then
		mini-cgroup set -r memory.swap.max=0 -g "memory:$G/$1" 2>/dev/null
	fi
}

oom_kills() { # oom_kills GROUP: the kernel's OOM-kill counter of the group
	local dir
	dir=$(base_cgroup_dir memory)/$G/$1
	if [ "$V2" = 1 ]; then
		awk '$1 == "oom_kill" { print $2 }' "$dir/memory.events"
	else
		awk '$1 == "oom_kill" { print $2 }' "$dir/memory.oom_control"
	fi
}

@test "mode: mini-cgroup tells v1, v2 or hybrid as the mounts do" {
	run -0 mini-cgroup mode
	assert_output "$(cgroup_mode)"
}

@test "create: the directory appears in every hierarchy asked for, delete removes it" {
	run -0 mini-cgroup create -g memory,cpu,pids:$G/demo
	for controller in memory cpu pids; do
		assert_dir_exists "$(base_cgroup_dir $controller)/$G/demo"
	done
	run -0 mini-cgroup list
	# v1: one line per hierarchy; v2: one line, with the group's controllers.
	assert_line --regexp "^([a-z,]*,)?memory(,[a-z,]*)?:$G/demo\$"
	assert_line --regexp "^([a-z,]*,)?pids(,[a-z,]*)?:$G/demo\$"
	run -0 mini-cgroup delete -r -g memory,cpu,pids:$G
	for controller in memory cpu pids; do
		assert_dir_not_exists "$(base_cgroup_dir $controller)/$G"
	done
}

@test "create: on v2 the parents hand the controllers down (subtree_control)" {
	requires cgroup_v2
	run -0 mini-cgroup create -g memory,cpu,pids:$G/a/b
	run -0 cat "$(base_cgroup_dir memory)/$G/a/cgroup.subtree_control"
	assert_output --regexp 'cpu'
	assert_output --regexp 'memory'
	assert_output --regexp 'pids'
	run -0 cat "$(base_cgroup_dir memory)/$G/a/b/cgroup.controllers"
	assert_output --regexp 'memory'
}

@test "-x shows each directory made and each file written" {
	run -0 --separate-stderr mini-cgroup -x create -g memory:$G/x
	[[ $stderr == *"mkdir(\"$(base_cgroup_dir memory)/$G/x\", 0755) = 0"* ]]
	run -0 --separate-stderr mini-cgroup -x set -r $MEM_LIMIT=50M -g memory:$G/x
	[[ $stderr == *"write(\"$(base_cgroup_dir memory)/$G/x/$MEM_LIMIT\", \"52428800\") = 8"* ]]
}

@test "create, then exec in a later command: the group is still there and the command runs in it" {
	local rel
	run -0 mini-cgroup create -g memory,pids:$G/keep
	# A systemd that reloads its units does not take our groups away.
	if [ "$(cat /proc/1/comm)" = systemd ]; then
		systemctl daemon-reload
	fi
	rel=$(base_cgroup_rel memory)
	rel=${rel:+/$rel}/$G/keep
	assert_dir_exists "$(base_cgroup_dir memory)/$G/keep"
	# The kernel's own record of where the command ran.
	run -0 mini-cgroup exec -g memory,pids:$G/keep -- cat /proc/self/cgroup
	assert_line --regexp "^[0-9]+:([a-z_,]*,)?memory(,[a-z_,]*)?:$rel\$|^0::$rel\$"
	run -0 mini-cgroup delete -r -g memory,pids:$G
	assert_dir_not_exists "$(base_cgroup_dir memory)/$G"
}

@test "v2, from a cgroup that holds processes (a login session): groups go to /sys/fs/cgroup/hop, that cgroup is not touched" {
	requires cgroup_v2
	local own
	own=$(own_cgroup memory)
	[ -z "${own#* }" ] || skip "our own cgroup is not the root: the systemd lane tests the real session"
	FAKE_SESSION=/sys/fs/cgroup/hop-test-session.scope
	mkdir "$FAKE_SESSION"
	# As systemd does at the root: hand memory and pids down.
	echo "+memory +pids" >/sys/fs/cgroup/cgroup.subtree_control
	# A shell in that cgroup, as logind puts a login shell in session-N.scope.
	in_session() {
		bash -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' - "$FAKE_SESSION" "$@"
	}
	run -0 in_session mini-cgroup where
	assert_output "v2 /sys/fs/cgroup/hop"
	run in_session "$HOP_TOP/tools/doctor"
	assert_line --regexp '^cgroup placement +ok +/sys/fs/cgroup/hop: our cgroup /hop-test-session.scope holds processes'
	run -0 in_session mini-cgroup create -g memory,pids:$G/s
	assert_dir_exists /sys/fs/cgroup/hop/$G/s
	run -0 cat /sys/fs/cgroup/hop/cgroup.subtree_control
	assert_output --regexp 'memory'
	run -0 in_session mini-cgroup set -r memory.max=50M -g memory:$G/s
	assert_equal "$(cat /sys/fs/cgroup/hop/$G/s/memory.max)" 52428800
	# Nothing made or enabled in the session's own cgroup.
	run -0 find "$FAKE_SESSION" -mindepth 1 -type d
	assert_output ""
	assert_equal "$(cat "$FAKE_SESSION/cgroup.subtree_control")" ""
	run -0 in_session mini-cgroup list
	assert_line "memory,pids:$G/s"
	# The last group out takes the base with it; list then shows nothing.
	run -0 in_session mini-cgroup delete -r -g memory,pids:$G
	assert_dir_not_exists /sys/fs/cgroup/hop
	run -0 in_session mini-cgroup list
	assert_output ""
	rmdir "$FAKE_SESSION"
}

@test "systemd login session: our groups go to /sys/fs/cgroup/hop, not into the session's scope" {
	requires systemd_session
	local own
	own=$(own_cgroup memory)
	own=${own#* }
	run -0 mini-cgroup where
	assert_output "v2 /sys/fs/cgroup/hop"
	run "$HOP_TOP/tools/doctor"
	assert_line --regexp '^cgroup placement +ok +/sys/fs/cgroup/hop: our cgroup /user.slice/.*session-[^ ]+.scope holds processes'
	run -0 mini-cgroup create -g memory,cpu,pids:$G/sess
	assert_dir_exists /sys/fs/cgroup/hop/$G/sess
	run -0 find "/sys/fs/cgroup$own" -mindepth 1 -type d
	assert_output ""
	assert_equal "$(cat "/sys/fs/cgroup$own/cgroup.subtree_control")" ""
	systemctl daemon-reload
	assert_dir_exists /sys/fs/cgroup/hop/$G/sess
	run -0 mini-cgroup delete -r -g memory,cpu,pids:$G
	assert_dir_not_exists /sys/fs/cgroup/hop
	run -0 mini-cgroup list
	assert_output ""
	run -0 systemctl --failed --no-legend
	assert_output ""
}

@test "delete: a group with a process in it is refused and stays" {
	local pid status=0
	mini-cgroup create -g pids:$G/busy
	mini-cgroup exec -g pids:$G/busy -- probe sleep 30 3>&- &
	pid=$!
	wait_until "grep -qx $pid $(base_cgroup_dir pids)/$G/busy/cgroup.procs"
	run -1 mini-cgroup delete -g pids:$G/busy
	assert_line --index 0 --regexp "^mini-cgroup: remove .*/$G/busy: it still holds 1 process\(es\): Device or resource busy$"
	assert_line --index 1 --partial "hint:"
	assert_dir_exists "$(base_cgroup_dir pids)/$G/busy"
	kill "$pid"
	wait "$pid" || status=$?
	run -0 mini-cgroup delete -r -g pids:$G
}

@test "libcgroup: cgget reads back what mini-cgroup wrote" {
	requires cmd:cgget
	local rel
	rel=$(base_cgroup_rel memory)
	mini-cgroup create -g memory:$G/ours
	mini-cgroup set -r $MEM_LIMIT=48M -g memory:$G/ours
	run -0 cgget -n -v -r $MEM_LIMIT "${rel:+$rel/}$G/ours"
	assert_output 50331648
	assert_equal "$output" "$(mini-cgroup get -r $MEM_LIMIT -g memory:$G/ours)"
}

@test "libcgroup: mini-cgroup reads back what cgcreate and cgset made" {
	requires cmd:cgcreate
	local rel
	rel=$(base_cgroup_rel memory)
	mini-cgroup create -g memory:$G # the parent is ours, so cgcreate makes only the child
	run -0 cgcreate -g "memory:${rel:+$rel/}$G/theirs"
	run -0 cgset -r $MEM_LIMIT=64M "${rel:+$rel/}$G/theirs"
	run -0 mini-cgroup get -r $MEM_LIMIT -g memory:$G/theirs
	assert_output 67108864
	assert_equal "$output" "$(cgget -n -v -r $MEM_LIMIT "${rel:+$rel/}$G/theirs")"
	run -0 cgdelete -g "memory:${rel:+$rel/}$G/theirs"
}

@test "memory: 200 MiB in a 50 MiB group is OOM-killed (137), the counter goes up" {
	memory_group small 50M
	assert_equal "$(oom_kills small)" 0
	run -137 mini-cgroup exec -g memory:$G/small -- probe alloc 200
	[ "$(oom_kills small)" -ge 1 ]
}

@test "memory: 20 MiB in a 50 MiB group survives" {
	memory_group small 50M
	run -0 mini-cgroup exec -g memory:$G/small -- probe alloc 20
	assert_output "allocated 20 MiB"
	assert_equal "$(oom_kills small)" 0
}

@test "cpu: a 20% quota throttles the burn to about 0.2 CPU" {
	mini-cgroup create -g cpu:$G/slow
	run -0 mini-cgroup set -r cpu.max="20000 100000" -g cpu:$G/slow
	run -0 mini-cgroup exec -g cpu:$G/slow -- probe burn 3
	# "cpu SECONDS wall SECONDS": about 0.2, with room for a busy machine
	# and for the start-up of mini-cgroup itself (slow under emulation).
	run -0 awk '{ r = $2 / $4; print (r > 0.1 && r < 0.35) ? "ok" : "ratio " r }' <<<"$output"
	assert_output ok
	run -0 awk '$1 == "nr_throttled" { print ($2 > 0) ? "throttled" : "not throttled" }' \
		"$(base_cgroup_dir cpu)/$G/slow/cpu.stat"
	assert_output throttled
}

@test "cpu: two groups on one CPU with weights 3:1 share it about 3:1" {
	requires cmd:taskset
	local big small out_big=$BATS_TEST_TMPDIR/big out_small=$BATS_TEST_TMPDIR/small
	mini-cgroup create -g cpu:$G/big -g cpu:$G/small
	mini-cgroup set -r cpu.weight=300 -g cpu:$G/big 2>/dev/null
	mini-cgroup set -r cpu.weight=100 -g cpu:$G/small 2>/dev/null
	# Both start burning at the same moment, whatever each one's start-up
	# took (seconds under emulation): they wait for the go file first.
	# Pinned to CPU 0 once in their group: where the cpuset controller is
	# on (systemd turns it on at the root for a unit with Delegate=yes,
	# containerd's), moving into another cgroup resets the affinity.
	local go=$BATS_TEST_TMPDIR/go wait_go='while [ ! -e "$0" ]; do sleep 0.05; done; exec taskset -c 0 probe burn 3'
	mini-cgroup exec -g cpu:$G/big -- sh -c "$wait_go" "$go" >"$out_big" 3>&- &
	big=$!
	mini-cgroup exec -g cpu:$G/small -- sh -c "$wait_go" "$go" >"$out_small" 3>&- &
	small=$!
	# Both are in their groups (each group lists a process) before go.
	wait_until "grep -q . '$(base_cgroup_dir cpu)/$G/big/cgroup.procs' && grep -q . '$(base_cgroup_dir cpu)/$G/small/cgroup.procs'" 60
	touch "$go"
	wait "$big" "$small"
	run -0 awk 'NR == FNR { b = $2; next } { r = b / $2; print (r > 2 && r < 4.5) ? "ok" : "ratio " r }' \
		"$out_big" "$out_small"
	assert_output ok
}

@test "pids: with pids.max=5 the fork that would make a sixth task fails with EAGAIN" {
	mini-cgroup create -g pids:$G/few
	mini-cgroup set -r pids.max=5 -g pids:$G/few
	# The probe itself is the first of the five tasks.
	run -1 mini-cgroup exec -g pids:$G/few -- probe fork 10
	assert_line "forked 4"
	assert_line "fork 5 failed: EAGAIN"
}

@test "seed numbers: memory.limit_in_bytes=100000000 and cpu.shares=512 work on v1 and v2" {
	mini-cgroup create -g cpu,memory:$G/seed
	run -0 mini-cgroup set -r memory.limit_in_bytes=100000000 -g memory:$G/seed
	run -0 mini-cgroup set -r cpu.shares=512 -r cpu.cfs_period_us=1000000 -r cpu.cfs_quota_us=2000000 -g cpu:$G/seed
	# The kernel rounds a byte limit down to whole pages.
	run -0 cat "$(base_cgroup_dir memory)/$G/seed/$MEM_LIMIT"
	assert_output 99999744
	if [ "$V2" = 1 ]; then
		run -0 cat "$(base_cgroup_dir cpu)/$G/seed/cpu.weight"
		assert_output 20
		run -0 cat "$(base_cgroup_dir cpu)/$G/seed/cpu.max"
		assert_output "2000000 1000000"
	else
		run -0 cat "$(base_cgroup_dir cpu)/$G/seed/cpu.shares"
		assert_output 512
		run -0 cat "$(base_cgroup_dir cpu)/$G/seed/cpu.cfs_quota_us"
		assert_output 2000000
	fi
}

@test "translation: the other version's name is written to this one's file, with a note" {
	mini-cgroup create -g memory,cpu:$G/t
	if [ "$V2" = 1 ]; then
		run -0 mini-cgroup set -r memory.limit_in_bytes=100M -g memory:$G/t
		assert_output "mini-cgroup: note: cgroup v2 has no memory.limit_in_bytes: wrote memory.max 104857600"
		run -0 cat "$(base_cgroup_dir memory)/$G/t/memory.max"
	else
		run -0 mini-cgroup set -r memory.max=100M -g memory:$G/t
		assert_output "mini-cgroup: note: cgroup v1 has no memory.max: wrote memory.limit_in_bytes 104857600"
		run -0 cat "$(base_cgroup_dir memory)/$G/t/memory.limit_in_bytes"
	fi
	assert_output 104857600
	run -0 --separate-stderr mini-cgroup get -r cpu.max -g cpu:$G/t
	assert_output "max 100000"
	run -0 --separate-stderr mini-cgroup get -r cpu.cfs_quota_us -g cpu:$G/t
	assert_output -- -1
	# runc's conversion: weight = 1 + (shares - 2) * 9999 / 262142.
	if [ "$V2" = 1 ]; then
		run -0 mini-cgroup set -r cpu.shares=1024 -g cpu:$G/t
		run -0 cat "$(base_cgroup_dir cpu)/$G/t/cpu.weight"
		assert_output 39
	else
		run -0 mini-cgroup set -r cpu.weight=100 -g cpu:$G/t
		run -0 cat "$(base_cgroup_dir cpu)/$G/t/cpu.shares"
		assert_output 2597
	fi
}

@test "bad input: each is a clear error, exit 1, and nothing is created" {
	run -1 mini-cgroup create -g nosuchctl:$G/x
	assert_line --index 0 "mini-cgroup: no cgroup hierarchy has the 'nosuchctl' controller: No such file or directory"
	run -1 mini-cgroup create -g memory:../escape
	assert_output --partial "'..' would leave our base"
	run -1 mini-cgroup create -g memory:/abs
	assert_output --partial "paths are relative to our base (mini-cgroup where)"
	run -1 mini-cgroup get -r memory.max -g memory:$G/nosuch
	assert_output --regexp "^mini-cgroup: group $G/nosuch \(.*\): No such file or directory$"
	run -1 mini-cgroup delete -g memory:$G/nosuch
	assert_output --partial "No such file or directory"
	for controller in memory cpu pids; do
		assert_dir_not_exists "$(base_cgroup_dir $controller)/$G"
		assert_dir_not_exists "$(dirname "$(base_cgroup_dir $controller)")/escape"
	done
	mini-cgroup create -g memory:$G/k
	run -1 mini-cgroup set -r memory.nosuch=1 -g memory:$G/k
	assert_line --index 0 --regexp "^mini-cgroup: no knob memory.nosuch in .*/$G/k: No such file or directory$"
	run -1 mini-cgroup set -r memory.max=100Q -g memory:$G/k
	assert_output "mini-cgroup: bad size '100Q' (use bytes, with K, M, G or T, or max)"
	run -1 mini-cgroup set -r cpu.weight=2 -g memory:$G/k
	assert_output "mini-cgroup: knob cpu.weight: its controller 'cpu' is not in -g memory:$G/k"
	run -1 mini-cgroup set -r memory.max -g memory:$G/k
	assert_output "mini-cgroup: -r memory.max: expected KNOB=VALUE"
	run -1 mini-cgroup create memory:$G/k
	run -1 mini-cgroup frobnicate
	assert_line --index 0 "mini-cgroup: unknown command 'frobnicate'"
}

@test "bad input: at most 16 -g and 16 -r, with a clear error and nothing made" {
	local args=() i
	for i in $(seq 17); do args+=(-g "memory:$G/m$i"); done
	run -1 mini-cgroup create "${args[@]}"
	assert_output "mini-cgroup: create: at most 16 -g options"
	assert_dir_not_exists "$(base_cgroup_dir memory)/$G"
	mini-cgroup create -g memory:$G/r
	args=()
	for i in $(seq 17); do args+=(-r memory.max); done
	run -1 mini-cgroup get "${args[@]}" -g memory:$G/r
	assert_output "mini-cgroup: get: at most 16 -r options"
	# 16 is fine.
	run -0 --separate-stderr mini-cgroup get "${args[@]:2}" -g memory:$G/r
	assert_equal "${#lines[@]}" 16
}

@test "bad input: a knob is a file of the group, never a path out of it" {
	local dir
	mini-cgroup create -g memory,pids:$G/k
	dir=$(base_cgroup_dir memory)/$G/k
	cp /etc/hostname "$BATS_TEST_TMPDIR/before"
	run -1 mini-cgroup get -r "memory.x/../../../../../../../../../etc/hostname" -g memory:$G/k
	assert_output --partial "bad knob name 'memory.x/../"
	refute_output --partial "$(cat /etc/hostname)"
	run -1 mini-cgroup set -r "memory.x/../../../../../../../../../etc/hostname=pwned" -g memory:$G/k
	assert_output --partial "bad knob name"
	assert_equal "$(cat /etc/hostname)" "$(cat "$BATS_TEST_TMPDIR/before")"
	run -1 mini-cgroup get -r "memory.max/" -g memory:$G/k
	assert_output --partial "bad knob name"
	# -x shows the knob opened beneath the group's directory.
	run -0 --separate-stderr mini-cgroup -x get -r pids.max -g memory,pids:$G/k
	[[ $stderr == *"openat2(\"$(base_cgroup_dir pids)/$G/k\", \"pids.max\", RESOLVE_BENEATH) = "* ]]
	assert_dir_exists "$dir"
}

@test "create: a group that is there already is refused and left as it was" {
	local dir
	run -0 mini-cgroup create -g memory,pids:$G/twice
	dir=$(base_cgroup_dir pids)/$G/twice
	mini-cgroup set -r pids.max=7 -g pids:$G/twice
	run -1 mini-cgroup create -g memory,pids:$G/twice
	assert_line --index 0 --regexp "^mini-cgroup: mkdir .*/$G/twice: File exists$"
	assert_line --index 1 --partial "hint: that group is there already"
	assert_dir_exists "$dir"
	assert_equal "$(cat "$dir/pids.max")" 7
}

@test "create: on v2 a failed create takes back the controllers it enabled" {
	requires cgroup_v2
	local dir
	run -0 mini-cgroup create -g memory:$G/a/b
	dir=$(base_cgroup_dir memory)/$G
	run -0 cat "$dir/a/cgroup.subtree_control"
	refute_output --partial pids
	# pids is enabled in $G and $G/a on the way down, then b exists: fail.
	run -1 mini-cgroup create -g memory,pids:$G/a/b
	run -0 cat "$dir/cgroup.subtree_control" "$dir/a/cgroup.subtree_control"
	refute_output --partial pids
}

@test "teardown: cgroup_cleanup kills what a failed test left in its group, and only that" {
	local pinned other
	mini-cgroup create -g pids:$G/pinned
	mini-cgroup exec -g pids:$G/pinned -- probe sleep 30 3>&- &
	pinned=$!
	sleep 30 3>&- &
	other=$!
	wait_until "grep -qx $pinned $(base_cgroup_dir pids)/$G/pinned/cgroup.procs"
	cgroup_cleanup "$G"
	assert_dir_not_exists "$(base_cgroup_dir pids)/$G"
	wait "$pinned" || true
	run ! kill -0 "$pinned"
	kill -0 "$other" # not in the group: still alive
	kill "$other"
	wait "$other" || true
}

@test "exec: a command that does not exist exits 127" {
	mini-cgroup create -g pids:$G/e
	run -127 mini-cgroup exec -g pids:$G/e -- nosuch
	assert_output "mini-cgroup: exec nosuch: No such file or directory"
}
