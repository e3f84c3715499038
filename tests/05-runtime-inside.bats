#!/usr/bin/env bats
# Day 05: what a process sees inside a mini-runc container, checked in the
# kernel (/proc/self/status, /proc/self/limits, the cgroup files, the
# device rules at open(2)), side by side with runc 1.1 on the same bundle:
# one made by `mini-runc spec` (runc spec's) with the busybox root.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	requires root cmd:jq cmd:runc
	[ -x "$HOP_ROOTFS/bin/probe" ] || skip "no busybox root: run make rootfs"
	runtime_bundle
}

# The container's command: args as given (set_config would need quoting).
set_args() {
	local args
	args=$(jq -n '$ARGS.positional' --args -- "$@")
	set_config ".process.args = $args"
}

# Run the bundle to its end under mini-runc, then under runc (same id,
# own state roots): their output in $ours and $theirs, each run's status
# asserted to be $1 (any: not asserted).
run_both() {
	local check=-$1
	[ "$1" != any ] || check=
	run $check mini-runc --root "$STATE" run --bundle "$B" "$T"
	ours=$output
	run $check runc_ run --bundle "$B" "$T"
	theirs=$output
}

# Where runc, with no cgroupsPath and its cgroupfs driver, makes the group
# of container $2 for controller $1: beneath its own cgroup.
runc_cgroup_dir() {
	local where
	where=$(own_cgroup "$1") || return 1
	echo "${where% *}${where#* }/$2"
}

# Can runc set limits there? Not on cgroup v2 below a cgroup that holds
# processes (a systemd login session): no controller reaches its group, and
# it fails on the first limit. There the tests check ours alone.
runc_can_limit() {
	local where
	[ "$(cgroup_mode)" != v2 ] && return 0
	where=$(own_cgroup memory) || return 1
	[ -z "${where#* }" ]
}

# runc's groups are named as the container ($T, this test's own), in
# every hierarchy: what a runc delete that failed left, killed and removed.
runc_cgroup_cleanup() {
	local dir groups="find /sys/fs/cgroup -maxdepth 8 -type d -name $T"
	for dir in $($groups 2>/dev/null); do
		xargs -r kill -KILL <"$dir/cgroup.procs" 2>/dev/null || true
	done
	wait_until "$groups -depth -exec rmdir {} + 2>/dev/null; [ -z \"\$($groups)\" ]" 5 || true
}

# Kill and remove what this test made, by its ids and its groups only.
teardown() {
	local c dir
	[ -z "${RECEIVER:-}" ] || kill "$RECEIVER" 2>/dev/null || true
	mini-runc --root "$STATE" delete --force "$T" >/dev/null 2>&1 || true
	mini-runc --root "$STATE" delete --force "$T-b" >/dev/null 2>&1 || true
	runc --root "$RUNC_STATE" delete --force "$T" >/dev/null 2>&1 || true
	runc_cgroup_cleanup
	cgroup_cleanup "hop-$T"
	cgroup_cleanup "hop-$T-b"
	cgroup_cleanup "hop-$T-rel"
	# An absolute cgroupsPath: $(from_root_base)/hop-$T-custom in every
	# hierarchy (on v1, devices and freezer too).
	for dir in /sys/fs/cgroup/*"$(from_root_base 2>/dev/null)/hop-$T-custom" \
		/sys/fs/cgroup/"$(from_root_base 2>/dev/null)/hop-$T-custom"; do
		[ -d "$dir" ] || continue
		xargs -r kill -KILL <"$dir/inner/cgroup.procs" 2>/dev/null || true
		wait_until "rmdir '$dir/inner' '$dir' 2>/dev/null; [ ! -d '$dir' ]" 5 || true
	done
	for c in devices freezer; do
		dir=$(base_cgroup_dir "$c") || continue
		rmdir "$dir/hop-$T-rel/inner" "$dir/hop-$T-rel" 2>/dev/null || true
	done
	assert_equal "$(grep -c "$BATS_TEST_TMPDIR" /proc/self/mounts)" 0
}

# Is there a container's init that ended and waits for PID 1 to reap it?
# A detached one (create, run --detach) has PID 1 for a parent. Some
# PID 1s reap late (here, the sandbox's: up to 2 s), and tests/leaks.bats
# would count what is still in /proc.
unreaped_inits() {
	# One awk for all (each status starts with Name:); cat goes on past
	# a process that is gone meanwhile.
	cat /proc/[0-9]*/status 2>/dev/null | awk '
		$1 == "Name:" { zombie = orphan = 0 }
		$1 == "State:" { zombie = $2 == "Z" }
		$1 == "PPid:" { orphan = $2 == 1 }
		$1 == "NSpid:" && zombie && orphan && NF == 3 && $3 == 1 { found = 1 }
		END { exit !found }'
}

# Once for the file, not each test: wait (bounded) for those inits to go.
teardown_file() {
	wait_until '! unreaped_inits' 5 || true
}

# The value of a field of /proc/PID/status ("CapEff" -> 0000000020000420).
status_field() {
	awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}

# A runtime's command with this test's state root: rt mini-runc|runc ARGS.
rt() {
	local runtime=$1
	shift
	if [ "$runtime" = runc ]; then
		runc --root "$RUNC_STATE" "$@"
	else
		mini-runc --root "$STATE" "$@"
	fi
}

# The status of container $T under runtime $1.
status_of() {
	rt "$1" state "$T" | jq -r .status
}

# Wait for the console socket's receiver (tests/console-socket.py) to
# listen on $1, its output going to $2.
start_receiver() {
	python3 "$HOP_TOP/tests/console-socket.py" "$1" 5 >"$2" 3>&- &
	RECEIVER=$!
	wait_until "[ -S '$1' ]" 5
}

# Its exit status once the terminal closed, and what came through it
# (without the pty's carriage returns) in $output.
end_receiver() {
	local status=0
	wait "$RECEIVER" || status=$?
	RECEIVER=
	output=$(tr -d '\r' <"$1")
	return "$status"
}

@test "capabilities: runc spec's three, exactly, in every set as runc sets them" {
	set_args /bin/probe caps
	run_both 0
	# CAP_AUDIT_WRITE (29), CAP_KILL (5), CAP_NET_BIND_SERVICE (10). The
	# spec lists them as ambient too, with no inheritable: the kernel
	# would refuse them, and runc leaves them out.
	output=$ours
	assert_line "CapInh 0000000000000000"
	assert_line "CapPrm 0000000020000420"
	assert_line "CapEff 0000000020000420"
	assert_line "CapBnd 0000000020000420"
	assert_line "CapAmb 0000000000000000"
	assert_equal "$ours" "$theirs"
	# Ours are not what we had: root here has all of them.
	[ "$(status_field $$ CapEff)" != 0000000020000420 ]
}

@test "capabilities: inheritable and ambient ones reach a non-root command, as with runc" {
	set_config '.process.user = {uid: 1000, gid: 1000}
		| .process.capabilities = {
			bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETUID"],
			effective: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
			permitted: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
			inheritable: ["CAP_CHOWN", "CAP_KILL"],
			ambient: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"]}'
	set_args /bin/probe caps
	run_both 0
	# uid 1000 keeps across execve only its ambient set (CAP_CHOWN 0,
	# CAP_KILL 5): CAP_NET_BIND_SERVICE is not inheritable, so it is not
	# ambient, so it is gone after the exec.
	output=$ours
	assert_line "CapInh 0000000000000021"
	assert_line "CapPrm 0000000000000021"
	assert_line "CapEff 0000000000000021"
	assert_line "CapBnd 00000000000004a1"
	assert_line "CapAmb 0000000000000021"
	assert_equal "$ours" "$theirs"
}

@test "no_new_privs and seccomp: the denied syscall returns the configured errno" {
	local inside
	# One stream: runc copies stdout and stderr through two pipes, and
	# their lines would come in any order.
	inside='exec 2>&1; grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status; mkdir /tmp/x; echo status $?'
	# A writable root: without the filter mkdir would work.
	set_config '.root.readonly = false | .linux.seccomp = {
		defaultAction: "SCMP_ACT_ALLOW",
		syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 38}]}'
	set_args /bin/sh -c "$inside"
	run_both 0
	output=$ours
	assert_line $'NoNewPrivs:\t1'
	assert_line $'Seccomp:\t2'
	assert_line "mkdir: can't create directory '/tmp/x': Function not implemented"
	assert_line "status 1"
	assert_equal "$ours" "$theirs"
	[ ! -e "$B/rootfs/tmp/x" ]
	# Another errno, and the filter loaded without no_new_privs (before
	# the capabilities go: it needs CAP_SYS_ADMIN then).
	set_config '.process.noNewPrivileges = false | .linux.seccomp.syscalls[0].errnoRet = 1'
	run_both 0
	output=$ours
	assert_line $'NoNewPrivs:\t0'
	assert_line $'Seccomp:\t2'
	assert_line "mkdir: can't create directory '/tmp/x': Operation not permitted"
	assert_equal "$ours" "$theirs"
	[ ! -e "$B/rootfs/tmp/x" ]
	# Without the filter it is made: the filter was what refused it.
	set_config 'del(.linux.seccomp)'
	run -0 mini-runc --root "$STATE" run --bundle "$B" "$T"
	assert_line $'Seccomp:\t0'
	assert_line "status 0"
	[ -d "$B/rootfs/tmp/x" ]
}

@test "seccomp: a syscall newer than the profile's newest answers ENOSYS, an older one the default, as under runc" {
	# An allow list written before Linux 5.1 (runc's init needs fstatfs
	# after the load, to close our fds): the C library falls back
	# from faccessat2, close_range and openat2 on ENOSYS, not on EPERM.
	set_config '.linux.seccomp = {defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 1,
		architectures: ["SCMP_ARCH_X86_64"],
		syscalls: [{action: "SCMP_ACT_ALLOW", names: [
			"read", "write", "close", "fstat", "newfstatat", "lseek", "mmap",
			"mprotect", "munmap", "brk", "rt_sigaction", "rt_sigprocmask",
			"rt_sigreturn", "ioctl", "pread64", "access", "pipe", "pipe2",
			"madvise", "dup", "dup2", "nanosleep", "getpid", "clone", "execve",
			"exit", "wait4", "kill", "uname", "fcntl", "getcwd", "chdir",
			"fchdir", "readlink", "readlinkat", "getuid", "getgid", "geteuid",
			"getegid", "getppid", "setsid", "arch_prctl", "gettid", "futex",
			"set_tid_address", "exit_group", "tgkill", "openat", "faccessat",
			"set_robust_list", "prlimit64", "getrandom", "rseq", "sigaltstack",
			"statx", "getdents64", "clock_gettime", "capget", "capset",
			"prctl", "setgroups", "setresuid", "setresgid", "umask",
			"sched_yield", "epoll_pwait", "epoll_ctl", "getpgrp", "setpgid",
			"fstatfs", "statfs", "getdents64", "mincore", "sysinfo"]}]}'
	set_args /bin/probe newcalls
	run_both 0
	assert_equal "$ours" $'faccessat2 ENOSYS\nclose_range ENOSYS\nopenat2 ENOSYS'
	assert_equal "$ours" "$theirs"
	# Without no_new_privs the filter is loaded before the capabilities
	# go, so our own setup runs under it: close_range answers ENOSYS and
	# we close the fds one by one, as the C library would fall back.
	# (runc needs more calls than this list allows after that load, and
	# fails; we need sendmsg, for the ready note.)
	set_config '.process.noNewPrivileges = false | .linux.seccomp.syscalls[0].names += ["sendmsg", "sendto"]'
	run -0 mini-runc --root "$STATE" run --bundle "$B" "$T"
	assert_output $'faccessat2 ENOSYS\nclose_range ENOSYS\nopenat2 ENOSYS'
	run -0 mini-runc --root "$STATE" -x run --bundle "$B" "$T"
	assert_line --partial 'close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) = -1 ENOSYS'
	# Name faccessat2 (Linux 5.8): the older two now get the default.
	set_config '.process.noNewPrivileges = true | .linux.seccomp.syscalls[0].names += ["faccessat2"]'
	run_both 0
	assert_equal "$ours" $'faccessat2 ok\nclose_range EPERM\nopenat2 EPERM'
	assert_equal "$ours" "$theirs"
}

@test "mounts: shared, slave, private and unbindable ones are all there, as under runc" {
	local inside
	mkdir -p "$B/host-dir"
	set_config '.mounts += [
		{destination: "/mnt/shared", source: $dir, options: ["bind", "shared"]},
		{destination: "/mnt/slave", source: $dir, options: ["rbind", "rslave"]},
		{destination: "/mnt/private", source: $dir, options: ["bind", "private"]},
		{destination: "/mnt/unbindable", source: $dir, options: ["bind", "unbindable"]},
		{destination: "/mnt/runbindable", type: "tmpfs", source: "tmpfs", options: ["runbindable"]}]' \
		--arg dir "$B/host-dir"
	# One line per mount point, with its propagation ("-": private).
	inside='awk '"'"'$5 ~ /^\/mnt\// { p = "-"; for (i = 7; $i != "-"; i++) if ($i ~ /:/ || $i == "unbindable") p = $i; sub(/:[0-9]+/, "", p); print $5, p }'"'"' /proc/self/mountinfo'
	set_args /bin/sh -c "$inside"
	run_both 0
	# Each is there (shared and slave read as the host's / is: private
	# here, shared under systemd, so the kernel's words differ by lane).
	output=$ours
	assert_line --regexp '^/mnt/shared '
	assert_line --regexp '^/mnt/slave '
	assert_line '/mnt/private -'
	assert_line '/mnt/unbindable unbindable'
	assert_line '/mnt/runbindable unbindable'
	assert_equal "$ours" "$theirs"
}

@test "masked paths are empty, /proc/sys and the root read-only, as with runc" {
	local p present=() expected=()
	# Only the ones this kernel has (no /proc/kcore on every kernel).
	for p in $(jq -r '.linux.maskedPaths[]' "$B/config.json"); do
		if [ -d "$p" ]; then
			present+=("$p")
			expected+=("$p directory, 0 entries, on tmpfs")
		elif [ -e "$p" ]; then
			present+=("$p")
			expected+=("$p character special file 1:3, 0 bytes")
		fi
	done
	[ "${#present[@]}" -gt 0 ]
	# The host's /proc/timer_list has something to hide.
	[ ! -e /proc/timer_list ] || [ -n "$(head -c1 /proc/timer_list)" ]
	cat >"$B/rootfs/inside.sh" <<-'EOF'
		exec 2>&1
		for p; do
			if [ -d "$p" ]; then
				echo "$p directory, $(ls -A "$p" | wc -l) entries, on $(stat -f -c %T "$p")"
			else
				echo "$p $(stat -c '%F %t:%T' "$p"), $(wc -c <"$p") bytes"
			fi
		done
		echo inside >/proc/sys/kernel/hostname
		hostname
		touch /x
	EOF
	set_args /bin/sh /inside.sh "${present[@]}"
	run_both 1
	output=$ours
	for p in "${expected[@]}"; do
		assert_line "$p"
	done
	assert_line "/inside.sh: line 9: can't create /proc/sys/kernel/hostname: Read-only file system"
	assert_line runc
	assert_line "touch: /x: Read-only file system"
	assert_equal "$ours" "$theirs"
	[ ! -e "$B/rootfs/x" ]
}

@test "rlimits: the default RLIMIT_NOFILE and custom ones, not the caller's" {
	local inside='grep -E "^Max (open files|core file size|processes) " /proc/self/limits | tr -s " "'
	set_args /bin/sh -c "$inside"
	# The caller's own limits differ: the container's are the config's.
	run -0 bash -c "ulimit -n 2000 && exec mini-runc --root '$STATE' run --bundle '$B' '$T'"
	assert_line "Max open files 1024 1024 files "
	ours=$output
	run -0 bash -c "ulimit -n 2000 && exec runc --root '$RUNC_STATE' run --bundle '$B' '$T'"
	assert_equal "$ours" "$output"
	set_config '.process.rlimits += [
		{type: "RLIMIT_CORE", soft: 1048576, hard: 2097152},
		{type: "RLIMIT_NPROC", soft: 500, hard: 600}]'
	run_both 0
	output=$ours
	assert_line "Max open files 1024 1024 files "
	assert_line "Max core file size 1048576 2097152 bytes "
	assert_line "Max processes 500 600 processes "
	assert_equal "$ours" "$theirs"
}

@test "user: uid, gid, additional gids and umask, as runc sets them" {
	set_config '.process.user = {uid: 1000, gid: 1000, additionalGids: [10, 20], umask: 63}'
	set_args /bin/sh -c 'id; grep -E "^(Uid|Gid|Groups|Umask):" /proc/self/status; umask'
	run_both 0
	output=$ours
	assert_line "uid=1000 gid=1000 groups=10,20"
	assert_line --regexp $'^Uid:\t1000\t1000\t1000\t1000$'
	assert_line --regexp $'^Gid:\t1000\t1000\t1000\t1000$'
	assert_line --regexp $'^Groups:\t10 20 ?$'
	assert_line $'Umask:\t0077'
	assert_equal "$ours" "$theirs"
	# Not set: 0022 (runc's), whatever the caller's umask.
	set_config 'del(.process.user.umask)'
	run -0 bash -c "umask 0077 && exec mini-runc --root '$STATE' run --bundle '$B' '$T'"
	assert_line $'Umask:\t0022'
}

@test "hostname, cwd and process.env only: nothing of the caller's environment" {
	set_config '.hostname = "inside-" + $t | .process.cwd = "/tmp"
		| .process.env = ["PATH=/bin:/usr/bin", "HOP_ONE=1", "HOP_TWO=two words"]'
	# The shell's environment as execve gave it, first: ash would exec the
	# last command in its place, and /proc/1/environ would then be tr's.
	set_args /bin/sh -c 'tr "\0" "\n" </proc/$$/environ; hostname; pwd'
	export HOP_LEAK=from-the-test
	run_both 0
	assert_equal "$ours" "PATH=/bin:/usr/bin
HOP_ONE=1
HOP_TWO=two words
inside-$T
/tmp"
	# runc adds HOME, from the user's /etc/passwd line, when the config
	# has none: that is the one difference.
	assert_equal "$theirs" "$(sed '3a HOME=/root' <<<"$ours")"
	[ "$(hostname)" != "inside-$T" ]
}

@test "no file descriptor >= 3 reaches the command (CVE-2024-21626), as with runc" {
	set_args /bin/probe fds
	# The caller has more open: none of them goes in.
	run -0 mini-runc --root "$STATE" run --bundle "$B" "$T" 7<"$B/config.json" 9>"$BATS_TEST_TMPDIR/nine"
	assert_equal "$(awk '$1 == "fd" { print $2 }' <<<"$output" | xargs)" "0 1 2"
	ours=$(awk '{ print $2 }' <<<"$output")
	run -0 runc_ run --bundle "$B" "$T" 7<"$B/config.json" 9>"$BATS_TEST_TMPDIR/nine"
	assert_equal "$(awk '{ print $2 }' <<<"$output")" "$ours"
}

@test "create then start: the command gets fds 0-2 only, not the create's nor its own" {
	local out=$BATS_TEST_TMPDIR/out runtime
	set_args /bin/sh -c '/bin/probe fds; echo cwd $(pwd)'
	exec 7<"$B/config.json"
	for runtime in mini-runc runc; do
		rt $runtime create --bundle "$B" "$T" >"$out" 2>&1 8>"$BATS_TEST_TMPDIR/eight" 3>&-
		assert_equal "$(status_of $runtime)" created
		rt $runtime start "$T"
		wait_until "[ \"\$(status_of $runtime)\" = stopped ]"
		run -0 cat "$out"
		assert_equal "$(awk '$1 == "fd" { print $2 }' <<<"$output" | xargs)" "0 1 2"
		assert_line "cwd /"
		rt $runtime delete "$T"
	done
	exec 7<&-
}

# The limits in container $T's group, one "file value" a line: $1 is a
# command that prints the group's directory for a controller.
group_limits() {
	local dir_of=$1
	if [ "$(cgroup_mode)" = v2 ]; then
		echo "memory.max $(cat "$($dir_of memory)/memory.max")"
		echo "pids.max $(cat "$($dir_of pids)/pids.max")"
		echo "cpu.max $(cat "$($dir_of cpu)/cpu.max")"
		echo "cpu.weight $(cat "$($dir_of cpu)/cpu.weight")"
	else
		echo "memory.limit_in_bytes $(cat "$($dir_of memory)/memory.limit_in_bytes")"
		echo "pids.max $(cat "$($dir_of pids)/pids.max")"
		echo "cpu.cfs_quota_us $(cat "$($dir_of cpu)/cpu.cfs_quota_us")"
		echo "cpu.cfs_period_us $(cat "$($dir_of cpu)/cpu.cfs_period_us")"
		echo "cpu.shares $(cat "$($dir_of cpu)/cpu.shares")"
	fi
}

our_dir() { echo "$(base_cgroup_dir "$1")/hop-$T"; }
runc_dir() { runc_cgroup_dir "$1" "$T"; }

@test "resources: memory, pids and cpu limits in the group's files, as runc writes them" {
	requires controller:memory controller:cpu controller:pids
	local pid c
	set_config '.linux.resources += {memory: {limit: 52428800}, pids: {limit: 20},
		cpu: {shares: 512, quota: 50000, period: 100000}}'
	set_args /bin/probe sleep inf
	mini-runc --root "$STATE" run --detach --pid-file "$B/pid" --bundle "$B" "$T" 3>&-
	pid=$(cat "$B/pid")
	for c in memory cpu pids; do
		grep -qx "$pid" "$(our_dir $c)/cgroup.procs"
	done
	run -0 group_limits our_dir
	if [ "$(cgroup_mode)" = v2 ]; then
		# runc's conversion: weight = 1 + (shares - 2) * 9999 / 262142.
		assert_output "memory.max 52428800
pids.max 20
cpu.max 50000 100000
cpu.weight 20"
	else
		assert_output "memory.limit_in_bytes 52428800
pids.max 20
cpu.cfs_quota_us 50000
cpu.cfs_period_us 100000
cpu.shares 512"
	fi
	if runc_can_limit; then
		ours=$output
		runc_ run --detach --bundle "$B" "$T" 3>&-
		run -0 group_limits runc_dir
		assert_equal "$output" "$ours"
	fi
}

# The kernel's OOM-kill counter of a group's memory controller ($1: the
# group's directory).
oom_kills() {
	if [ "$(cgroup_mode)" = v2 ]; then
		awk '$1 == "oom_kill" { print $2 }' "$1/memory.events"
	else
		awk '$1 == "oom_kill" { print $2 }' "$1/memory.oom_control"
	fi
}

@test "resources: over the memory limit the OOM killer ends it, and the group counts it" {
	requires controller:memory
	set_config '.linux.resources.memory = {limit: 52428800}'
	set_args /bin/probe alloc 200
	run -137 mini-runc --root "$STATE" run --bundle "$B" "$T"
	! runc_can_limit || run -137 runc_ run --bundle "$B" "$T"
	# Any SIGKILL gives 137: the group's own counter says it was the OOM
	# killer. A shell as PID 1 outlives the kill, and the group stays
	# until delete, to be read.
	set_args /bin/sh -c '/bin/probe alloc 200; echo status $?; /bin/probe alloc 20'
	run -0 mini-runc --root "$STATE" run --detach --bundle "$B" "$T" 3>&-
	assert_line "status 137"
	assert_line "allocated 20 MiB"
	[ "$(oom_kills "$(our_dir memory)")" -ge 1 ]
	if runc_can_limit; then
		run -0 runc_ run --detach --bundle "$B" "$T" 3>&-
		assert_line "status 137"
		[ "$(oom_kills "$(runc_dir memory)")" -ge 1 ]
	fi
}

@test "resources: the fork over pids.limit fails with EAGAIN, as under runc" {
	requires controller:pids
	set_config '.linux.resources.pids = {limit: 20}'
	set_args /bin/probe fork 50
	# PID 1 and 19 children: 20.
	run -1 mini-runc --root "$STATE" run --bundle "$B" "$T"
	assert_line "forked 19"
	assert_line "fork 20 failed: EAGAIN"
	if runc_can_limit; then
		ours=$output
		run -1 runc_ run --bundle "$B" "$T"
		assert_equal "$output" "$ours"
	fi
}

@test "cgroupsPath: an absolute path is from the hierarchy's root, a relative one beneath our base; delete removes both" {
	requires controller:pids
	local pid c key root mount
	root=$(from_root_base) || skip "our own cgroups do not nest across hierarchies"
	mount=$(base_cgroup pids) && mount=${mount% *}
	# Absolute: from the root of each hierarchy, as the runtime spec
	# says (and as runc does); we pick a place beneath our own.
	set_config '.linux.cgroupsPath = $root + "/hop-" + $t + "-custom/inner" | .linux.resources.pids = {limit: 30}' --arg root "$root"
	set_args /bin/probe sleep inf
	mini-runc --root "$STATE" run --detach --pid-file "$B/pid" --bundle "$B" "$T" 3>&-
	pid=$(cat "$B/pid")
	grep -qx "$pid" "$mount$root/hop-$T-custom/inner/cgroup.procs"
	assert_equal "$(cat "$mount$root/hop-$T-custom/inner/pids.max")" 30
	# Seen from inside its own group.
	if [ "$(cgroup_mode)" = v2 ]; then key='^0::'; else key='^[0-9]+:([^:]*,)?pids(,[^:]*)?:'; fi
	run -0 grep -E "$key" "/proc/$pid/cgroup"
	assert_output --regexp ":/(.*/)?hop-$T-custom/inner\$"
	[ ! -d "$(base_cgroup_dir pids)/hop-$T" ]
	mini-runc --root "$STATE" delete --force "$T"
	# The parent it made for the path goes too: nothing is left.
	for c in memory cpu pids; do
		mount=$(base_cgroup $c) && mount=${mount% *}
		[ ! -d "$mount$root/hop-$T-custom" ]
	done
	# Relative: beneath our base, whatever cgroup we are in.
	set_config '.linux.cgroupsPath = "hop-" + $t + "-rel/inner"'
	mini-runc --root "$STATE" run --detach --pid-file "$B/pid" --bundle "$B" "$T" 3>&-
	grep -qx "$(cat "$B/pid")" "$(base_cgroup_dir pids)/hop-$T-rel/inner/cgroup.procs"
	mini-runc --root "$STATE" delete --force "$T"
	[ ! -d "$(base_cgroup_dir pids)/hop-$T-rel" ]
}

@test "devices: the default ones work, as under runc" {
	cat >"$B/rootfs/inside.sh" <<-'EOF'
		exec 2>&1
		stat -c '%n %F %t:%T' /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty
		echo hi >/dev/null && echo null written
		head -c 2 /dev/zero | od -An -tx1
		head -c 2 /dev/full | od -An -tx1
		echo hi >/dev/full
		head -c 8 /dev/urandom | wc -c
		head -c 8 /dev/random | wc -c
		true </dev/tty
		echo end
	EOF
	set_args /bin/sh /inside.sh
	run_both 0
	output=$ours
	assert_line "/dev/null character special file 1:3"
	assert_line "/dev/tty character special file 5:0"
	assert_line "null written"
	assert_line " 00 00"
	assert_line "sh: write error: No space left on device"
	assert_line 8
	# Opened, and the tty driver answered: no controlling terminal.
	assert_line "/inside.sh: line 9: can't open /dev/tty: No such device or address"
	refute_output --partial "Operation not permitted"
	assert_equal "$ours" "$theirs"
}

@test "devices: a node made for a device not allowed cannot be opened" {
	set_config '.process.capabilities.bounding += ["CAP_MKNOD"]
		| .process.capabilities.effective += ["CAP_MKNOD"]
		| .process.capabilities.permitted += ["CAP_MKNOD"]'
	# Opened only (no byte read): 8:0 is the first SCSI disk, if any.
	set_args /bin/sh -c 'exec 2>&1; mknod /dev/sda b 8 0 && echo made; : </dev/sda'
	run_both 1
	output=$ours
	assert_line made
	assert_line "/bin/sh: can't open /dev/sda: Operation not permitted"
	assert_equal "$ours" "$theirs"
	# A rule of the config lets it be opened: the device cgroup decided.
	# (Here no driver has 8:0: ENXIO; where there is a disk, it opens.)
	set_config '.linux.resources.devices += [{allow: true, type: "b", major: 8, minor: 0, access: "r"}]'
	run_both any
	output=$ours
	assert_line made
	refute_output --partial "Operation not permitted"
	assert_equal "$ours" "$theirs"
}

@test "terminal: the pty master comes through --console-socket; tty is /dev/pts/0" {
	requires cmd:python3
	local sock=$BATS_TEST_TMPDIR/console.sock out=$BATS_TEST_TMPDIR/console.out
	set_config '.process.terminal = true'
	set_args /bin/sh -c 'tty; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo all three'
	start_receiver "$sock" "$out"
	run -0 mini-runc --root "$STATE" run --console-socket "$sock" --bundle "$B" "$T" 3>&-
	end_receiver "$out"
	assert_output $'/dev/pts/0\nall three'
	ours=$output
	# runc takes the socket only when detached (run -d), else it wants a
	# terminal of its own.
	start_receiver "$sock" "$out"
	runc_ run --detach --console-socket "$sock" --bundle "$B" "$T" 3>&-
	end_receiver "$out"
	assert_equal "$output" "$ours"
}

# Start container $T, detached, running probe sleep; its pid in $init.
start_sleeper() {
	set_args /bin/probe sleep inf
	mini-runc --root "$STATE" run --detach --pid-file "$B/pid" --bundle "$B" "$T" 3>&-
	init=$(cat "$B/pid")
}

@test "exec: the process gets the config's capabilities, the group and the namespaces" {
	local init pid kind c
	start_sleeper
	mini-runc --root "$STATE" exec --detach --pid-file "$B/exec.pid" "$T" /bin/probe sleep inf 3>&-
	pid=$(cat "$B/exec.pid")
	[ "$pid" != "$init" ]
	assert_equal "$(status_field "$pid" CapEff)" 0000000020000420
	assert_equal "$(status_field "$pid" CapBnd)" 0000000020000420
	assert_equal "$(status_field "$pid" NoNewPrivs)" 1
	# Every hierarchy of ours (v1), the one group (v2).
	for c in memory pids cpu devices freezer; do
		grep -qx "$pid" "$(our_dir $c)/cgroup.procs"
	done
	for kind in ipc mnt net pid uts cgroup; do
		assert_equal "$(stat -L -c %i "/proc/$pid/ns/$kind")" \
			"$(stat -L -c %i "/proc/$init/ns/$kind")"
	done
	[ "$(stat -L -c %i "/proc/$pid/ns/pid")" != "$(host_ns pid)" ]
	# And what it sees itself, as runc's exec gives it.
	run -0 mini-runc --root "$STATE" exec "$T" /bin/probe caps
	ours=$output
	runc_ run --detach --bundle "$B" "$T" 3>&-
	run -0 runc_ exec "$T" /bin/probe caps
	assert_equal "$output" "$ours"
	# A command that is not there: runc's words (Go's exec.LookPath),
	# said once, with no other error's text after them.
	run ! mini-runc --root "$STATE" exec "$T" nonexistent
	assert_output 'mini-runc: exec: "nonexistent": executable file not found in $PATH'
	run ! runc_ exec "$T" nonexistent
	assert_output --partial 'exec: \"nonexistent\": executable file not found in $PATH'
}

@test "signals: run and exec start the command with none ignored or blocked, as runc" {
	local init ign listing='/bin/grep -e SigBlk: -e SigIgn: /proc/self/status'
	# The caller ignores some (nohup, a shell's background job), and
	# mini-runc ignores SIGPIPE itself: an ignored signal stays ignored
	# across execve.
	set_args $listing
	run -0 bash -c "trap '' HUP PIPE QUIT && exec mini-runc --root '$STATE' run --bundle '$B' '$T'"
	assert_output $'SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000'
	ours=$output
	start_sleeper
	run -0 bash -c "trap '' HUP PIPE QUIT && exec mini-runc --root '$STATE' exec '$T' $listing"
	assert_equal "$output" "$ours"
	runc_ run --detach --bundle "$B" "$T" 3>&-
	run -0 bash -c "trap '' HUP PIPE QUIT && exec runc --root '$RUNC_STATE' exec '$T' $listing"
	# runc (its Go runtime) leaves signals 32 and 33, glibc's own, as
	# its caller had them; the others as we do.
	ign=$(sed -n 's/^SigIgn:\t//p' <<<"$output")
	assert_equal "$((0x$ign & ~0x180000000))" 0
	assert_line --index 0 $'SigBlk:\t0000000000000000'
}

@test "exec --tty --console-socket: a terminal of its own" {
	requires cmd:python3
	local init sock=$BATS_TEST_TMPDIR/console.sock out=$BATS_TEST_TMPDIR/console.out
	start_sleeper
	start_receiver "$sock" "$out"
	run -0 mini-runc --root "$STATE" exec --tty --console-socket "$sock" "$T" /bin/sh -c 'tty; [ -t 0 ] && echo terminal' 3>&-
	end_receiver "$out"
	# The init has none: the first pty of the container's own devpts.
	assert_output $'/dev/pts/0\nterminal'
	# runc is left out: it takes the socket only with exec --detach, whose
	# process ends as a child of the host's PID 1, which here reaps it up
	# to 2 s later, and runc delete waits for that. (By hand, runc exec
	# -d -t --console-socket S ID tty prints /dev/pts/0 too.)
}

@test "exec --user 1000:1000 runs as that user, with no capability left" {
	local init
	start_sleeper
	run -0 mini-runc --root "$STATE" exec --user 1000:1000 "$T" /bin/sh -c 'id; grep -E "^(Uid|Gid|CapEff|CapPrm):" /proc/self/status'
	assert_line --regexp "^uid=1000 gid=1000"
	assert_line $'Uid:\t1000\t1000\t1000\t1000'
	assert_line $'Gid:\t1000\t1000\t1000\t1000'
	assert_line $'CapEff:\t0000000000000000'
	ours=$output
	runc_ run --detach --bundle "$B" "$T" 3>&-
	run -0 runc_ exec --user 1000:1000 "$T" /bin/sh -c 'id; grep -E "^(Uid|Gid|CapEff|CapPrm):" /proc/self/status'
	assert_equal "$output" "$ours"
}

# A hook that writes its stdin (the state) to $BATS_TEST_TMPDIR/$1.json.
make_hook() {
	cat >"$BATS_TEST_TMPDIR/hook" <<-EOF
		#!/bin/sh
		exec /bin/cat >"$BATS_TEST_TMPDIR/\$1.json"
	EOF
	chmod 755 "$BATS_TEST_TMPDIR/hook"
}

@test "hooks: createRuntime gets the state (id, pid), poststart, and poststop at delete" {
	local runtime pid
	make_hook
	set_config '.hooks = {} | reduce ("createRuntime", "poststart", "poststop") as $p
		(.; .hooks[$p] = [{path: "'"$BATS_TEST_TMPDIR/hook"'", args: ["hook", $p]}])'
	set_args /bin/probe sleep inf
	for runtime in mini-runc runc; do
		rm -f "$BATS_TEST_TMPDIR"/*.json
		rt $runtime create --pid-file "$B/pid" --bundle "$B" "$T" 3>&-
		pid=$(cat "$B/pid")
		run -0 jq -r '.id, .pid, .status, .bundle' "$BATS_TEST_TMPDIR/createRuntime.json"
		assert_output "$T
$pid
creating
$B"
		# runc 1.1 runs poststart at create, before the command has
		# started (its start() starts the init); the spec, and we, after.
		if [ $runtime = mini-runc ]; then
			[ ! -e "$BATS_TEST_TMPDIR/poststart.json" ]
		fi
		rt $runtime start "$T"
		run -0 jq -r '.id, .pid' "$BATS_TEST_TMPDIR/poststart.json"
		assert_output "$T
$pid"
		if [ $runtime = mini-runc ]; then
			assert_equal "$(jq -r .status "$BATS_TEST_TMPDIR/poststart.json")" running
		fi
		[ ! -e "$BATS_TEST_TMPDIR/poststop.json" ]
		rt $runtime delete --force "$T"
		run -0 jq -r '.id, .status' "$BATS_TEST_TMPDIR/poststop.json"
		assert_output "$T
stopped"
	done
}

@test "hooks: a failing createRuntime hook fails create, and leaves nothing" {
	local c
	set_config '.hooks.createRuntime = [{path: "/bin/sh", args: ["sh", "-c", "exit 3"]}]'
	set_args /bin/probe sleep inf
	run -1 mini-runc --root "$STATE" create --pid-file "$B/pid" --bundle "$B" "$T" 3>&-
	assert_output --partial "createRuntime hook /bin/sh ended with status 3"
	[ ! -e "$STATE/$T" ]
	[ ! -e "$B/pid" ]
	run -0 find /sys/fs/cgroup -maxdepth 8 -type d -name "hop-$T"
	assert_output ""
	run -1 mini-runc --root "$STATE" state "$T"
	assert_output --partial "container \"$T\" does not exist"
	# runc alike.
	run -1 runc_ create --pid-file "$B/pid" --bundle "$B" "$T" 3>&-
	run -1 runc_ state "$T"
	assert_output --partial "does not exist"
	for c in memory pids; do
		[ ! -d "$(runc_cgroup_dir $c "$T")" ]
	done
}

@test "CVE-2019-5736: a created init in a shared PID namespace cannot be opened through /proc/PID/exe" {
	# Container a runs; b joins a's PID namespace and waits, created: its
	# init is still mini-runc, seen from a's processes.
	set_args /bin/probe sleep inf
	(cd "$B" && mini-runc --root "$STATE" run --detach --pid-file "$B/a.pid" "$T" 3>&-)
	jq --arg ns "/proc/$(cat "$B/a.pid")/ns/pid" \
		'.linux.namespaces |= map(if .type == "pid" then .path = $ns else . end)' \
		"$B/config.json" >"$B/b.json"
	mkdir "$B/b" && mv "$B/b.json" "$B/b/config.json" && ln -s ../rootfs "$B/b/rootfs"
	(cd "$B/b" && mini-runc --root "$STATE" create --pid-file "$B/b.pid" "$T-b" 3>&-)
	bpid=$(cat "$B/b.pid")
	assert_equal "$(cat /proc/$bpid/comm)" mini-runc
	# Its pid as a's processes see it: the last NSpid field.
	inner=$(awk '$1 == "NSpid:" { print $NF }' /proc/$bpid/status)
	run mini-runc --root "$STATE" exec "$T" /bin/sh -c "readlink /proc/$inner/exe; cat /proc/$inner/exe >/dev/null"
	assert_failure
	assert_output --partial "Permission denied"
	refute_output --partial mini-runc
}

@test "exec --cwd through one of the caller's fds does not reach the host (CVE-2024-21626)" {
	set_args /bin/probe sleep inf
	(cd "$B" && mini-runc --root "$STATE" run --detach "$T" 3>&-)
	run mini-runc --root "$STATE" exec --cwd /proc/self/fd/9 "$T" /bin/pwd 9</tmp
	assert_failure
	assert_output --partial "chdir to cwd (\"/proc/self/fd/9\")"
}

@test "network: a new network namespace has its loopback up, as runc's" {
	set_args /bin/cat /sys/class/net/lo/operstate /sys/class/net/lo/flags
	run_both 0
	# IFF_UP is 0x1 in the flags.
	[ $(( $(sed -n 2p <<<"$ours") & 1 )) -eq 1 ]
	assert_equal "$ours" "$theirs"
}
