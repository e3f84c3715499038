#!/usr/bin/env bats
# Day 01: mini-unshare, checked against what the kernel shows and side by
# side with util-linux unshare running the same thing.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	requires root cmd:unshare
}

setup_file() {
	HOP_NOBODY_BIN=$(make_nobody_bin)
	export HOP_NOBODY_BIN
}

teardown_file() {
	rm -rf "$HOP_NOBODY_BIN"
}

# The namespace kinds whose inode differs from ours, as TOOL FLAGS sees it.
changed_kinds() {
	local line changed=()
	while read -r line; do
		[ "${line#* }" = "$(host_ns "${line% *}")" ] || changed+=("${line% *}")
	done < <("$@" probe ns)
	echo "${changed[*]}"
}

# Both tools, the same arguments, the same output.
same_as_unshare() {
	run -0 mini-unshare "$@"
	local ours=$output
	run -0 unshare "$@"
	assert_equal "$ours" "$output"
}

@test "pid: the command is PID 1 and ps sees only the inside" {
	run -0 mini-unshare --fork --pid --mount-proc probe pid
	assert_line "pid 1"
	assert_line "ppid 0"
	run -0 mini-unshare -fp --mount-proc ps -e -o pid=,comm=
	assert_equal "$(echo $output)" "1 ps"
	same_as_unshare -fp --mount-proc ps -e -o pid=,comm=
}

@test "pid: /proc inside lists one process, the host's lists many" {
	run -0 mini-unshare -fp --mount-proc ls /proc
	assert_equal "$(grep -c '^[0-9]' <<<"$output")" 1
	[ "$(ls /proc | grep -c '^[0-9]')" -gt 10 ]
}

@test "pid: without --fork the children, not the command, are in the new namespace" {
	run -0 mini-unshare -p sh -c 'echo $$; probe pid'
	[ "${lines[0]}" -gt 1 ]
	assert_line "pid 1"
}

@test "uts: a hostname set inside is not seen outside" {
	local before
	before=$(cat /proc/sys/kernel/hostname)
	run -0 mini-unshare --uts sh -c 'hostname hop-inside && hostname'
	assert_output hop-inside
	assert_equal "$(cat /proc/sys/kernel/hostname)" "$before"
	same_as_unshare -u sh -c 'hostname hop-inside && cat /proc/sys/kernel/hostname'
}

@test "net: only lo, and it is down" {
	run -0 mini-unshare --net ip -o link
	assert_equal "${#lines[@]}" 1
	assert_output --regexp '^1: lo: <LOOPBACK> .* state DOWN'
	same_as_unshare -n ip -br link
}

@test "ns: the inodes differ from the host's for exactly the kinds asked" {
	local -A expect=(
		[u]="uts" [i]="ipc" [n]="net" [m]="mnt" [C]="cgroup" [U]="user"
		[fp]="pid pid_for_children" [fT]="time time_for_children"
		# Without --fork the command itself stays in the old PID namespace.
		[p]="pid_for_children"
	)
	local flags
	for flags in "${!expect[@]}"; do
		[ "$flags" != fT ] || [ -e /proc/self/ns/time ] || continue
		assert_equal "mini-unshare -$flags: $(changed_kinds mini-unshare "-$flags")" \
			"mini-unshare -$flags: ${expect[$flags]}"
		assert_equal "unshare -$flags: $(changed_kinds unshare "-$flags")" \
			"unshare -$flags: ${expect[$flags]}"
	done
}

@test "ns: -T without --fork: the kernel decides whether execve enters the time namespace" {
	requires timens
	# Linux 6.1 leaves the command in the old time namespace; later kernels
	# move it there at execve(2). Either way ours does what unshare does.
	local ours
	ours=$(changed_kinds mini-unshare -T)
	assert_regex "$ours" '^(time )?time_for_children$'
	assert_equal "$ours" "$(changed_kinds unshare -T)"
}

@test "user: uid 0 inside is the caller's uid outside (-r, unprivileged)" {
	requires userns
	local bin pid
	bin=$HOP_NOBODY_BIN
	run -0 as_nobody "$bin/mini-unshare" -r "$bin/probe" ids
	assert_line --regexp '^uid 0 0$'
	assert_line --regexp '^uid_map +0 +65534 +1$'
	# The kernel's view from outside: the same process is uid 65534.
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$bin/mini-unshare" -r sleep 30 3>&- &
	pid=$!
	wait_until "grep -q '^ *0 *65534 *1' /proc/$pid/uid_map 2>/dev/null"
	run -0 awk '/^Uid:/ { print $2 }' "/proc/$pid/status"
	kill "$pid"
	wait "$pid" || true
	assert_output 65534
	run -0 as_nobody "$bin/mini-unshare" -r cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups
	local ours=$output
	run -0 as_nobody unshare -r cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups
	assert_equal "$ours" "$output"
}

@test "user: without root and without -r, unshare is refused with a hint" {
	local bin
	bin=$HOP_NOBODY_BIN
	run -1 as_nobody "$bin/mini-unshare" --uts true
	assert_line --index 0 "mini-unshare: unshare(CLONE_NEWUTS): Operation not permitted"
	assert_line --partial "hint:"
}

@test "ipc: a message queue made inside is invisible outside and gone after" {
	local before
	before=$(wc -l </proc/sysvipc/msg)
	run -0 mini-unshare --ipc sh -c 'ipcmk -Q >/dev/null && tail -n +2 /proc/sysvipc/msg | wc -l && sleep 0.2'
	assert_output 1
	assert_equal "$(wc -l </proc/sysvipc/msg)" "$before"
	same_as_unshare -i sh -c 'ipcmk -Q >/dev/null && tail -n +2 /proc/sysvipc/msg | wc -l'
}

@test "cgroup: /proc/self/cgroup reads / in a new cgroup namespace" {
	run -0 mini-unshare --cgroup cat /proc/self/cgroup
	for line in "${lines[@]}"; do
		assert_regex "$line" ':/$'
	done
	same_as_unshare -C cat /proc/self/cgroup
}

clock_of() { # clock_of NAME: seconds of that clock in probe's output
	awk -v name="$1" '$1 == name { print int($2) }' <<<"$output"
}

@test "time: offsets show in CLOCK_BOOTTIME and CLOCK_MONOTONIC" {
	requires timens
	local host_boot host_mono tool
	for tool in mini-unshare unshare; do
		run -0 probe clock
		host_boot=$(clock_of boottime) host_mono=$(clock_of monotonic)
		run -0 "$tool" --fork --time --boottime 86400 --monotonic 3600 probe clock
		[ $(($(clock_of boottime) - host_boot)) -ge 86400 ]
		[ $(($(clock_of boottime) - host_boot)) -lt 86460 ]
		[ $(($(clock_of monotonic) - host_mono)) -ge 3600 ]
		[ $(($(clock_of monotonic) - host_mono)) -lt 3660 ]
	done
}

@test "mount: a mount made inside stays inside (propagation private)" {
	run -0 mini-unshare --mount sh -c 'mount -t tmpfs hop-test /mnt && grep -c hop-test /proc/self/mounts'
	assert_output 1
	run -1 grep hop-test /proc/self/mounts
}

@test "mount: private by default, --propagation unchanged lets it through" {
	# The shared mount lives in a throwaway mount namespace of the test.
	run -0 unshare -m sh -c '
		d=$(mktemp -d) && mount -t tmpfs hop-outer "$d" &&
		mount --make-shared "$d" && mkdir "$d/a" "$d/b" &&
		mini-unshare -m sh -c "mount -t tmpfs hop-private $d/a" &&
		mini-unshare -m --propagation unchanged sh -c "mount -t tmpfs hop-shared $d/b" &&
		awk "{ print \$1 }" /proc/self/mounts | grep "^hop-"
		umount -R "$d"; rmdir "$d"'
	assert_output "$(printf 'hop-outer\nhop-shared')"
}

@test "mount-proc: /proc inside is a new proc of the new PID namespace" {
	run -0 mini-unshare -fp --mount-proc=/proc sh -c 'readlink /proc/self; awk "\$2 == \"/proc\" { print \$3 }" /proc/self/mounts'
	# readlink is sh's child: PID 2, as this /proc sees it.
	assert_line --index 0 2
	assert_line --index 1 proc
}

@test "mount-proc: with --propagation shared or unchanged the host's /proc is untouched" {
	local mode before
	before=$(awk '$5 == "/proc"' /proc/self/mountinfo)
	for mode in shared unchanged; do
		# A throwaway mount namespace of the test stands for the host,
		# its /proc made shared as systemd makes every mount. A proc
		# leaked onto it hides its pids (the namespace it shows is gone).
		run unshare -m sh -c '
			mount --make-shared /proc &&
			mini-unshare -fp --mount-proc --propagation '"$mode"' true &&
			awk "\$5 == \"/proc\" { n++ } END { print n }" /proc/$$/mountinfo
			ls /proc | grep -c "^[0-9]"'
		assert_success
		assert_line --index 0 1
		[ "${lines[1]}" -gt 10 ] || fail "$mode: /proc shows ${lines[1]} pids"
	done
	# And the test's own /proc is the one it had.
	assert_equal "$(awk '$5 == "/proc"' /proc/self/mountinfo)" "$before"
	[ "$(ls /proc | grep -c '^[0-9]')" -gt 10 ]
}

@test "mount-proc: -x shows the mount holding DIR made private first, when / is not" {
	run -0 --separate-stderr mini-unshare -x -fp --mount-proc --propagation unchanged true
	[[ $stderr == *'mount("none", "/proc", NULL, MS_PRIVATE, NULL) = 0'*'mount("proc", "/proc", "proc", MS_NOSUID|MS_NODEV|MS_NOEXEC, NULL) = 0'* ]]
	# A DIR that is no mount point: the mount above it is made private.
	mkdir "$BATS_TEST_TMPDIR/p"
	run -0 --separate-stderr mini-unshare -x -fp --mount-proc="$BATS_TEST_TMPDIR/p" --propagation shared ls "$BATS_TEST_TMPDIR/p/self/"
	[[ $stderr == *'mount("none", "/", NULL, MS_PRIVATE, NULL) = 0'* ]] ||
		[[ $stderr == *'mount("none", "/tmp", NULL, MS_PRIVATE, NULL) = 0'* ]]
	run -0 --separate-stderr mini-unshare -x -fp --mount-proc true
	[[ $stderr != *'MS_PRIVATE, NULL)'*'MS_PRIVATE, NULL)'* ]]
}

@test "exit status: passed on, and 128+N after a signal" {
	run -7 mini-unshare -f sh -c 'exit 7'
	run -7 mini-unshare sh -c 'exit 7'
	run -143 mini-unshare -f sh -c 'kill -TERM $$'
	run -143 unshare -f sh -c 'kill -TERM $$'
	# util-linux 2.38.1 exits 1 here ("sigprocmask unblock failed"):
	# it cannot re-raise SIGKILL on itself. We report 128+9 like a shell.
	run -137 mini-unshare -f sh -c 'kill -KILL $$'
}

@test "signals: SIGTERM to mini-unshare reaches the command" {
	local pid
	mini-unshare -f sleep 60 3>&- &
	pid=$!
	wait_until "pgrep -P $pid sleep >/dev/null"
	kill -TERM "$pid"
	local status=0
	wait "$pid" || status=$?
	assert_equal "$status" 143
}

@test "-x shows the kernel calls on stderr, stdout keeps the result" {
	run -0 --separate-stderr mini-unshare -x -fpun --mount-proc probe pid
	assert_line "pid 1"
	refute_output --partial unshare
	[[ $stderr == *"unshare(CLONE_NEWUTS|CLONE_NEWPID|CLONE_NEWNET|CLONE_NEWNS) = 0"* ]] ||
		[[ $stderr == *"unshare(CLONE_NEWNS|CLONE_NEWUTS|CLONE_NEWPID|CLONE_NEWNET) = 0"* ]]
	[[ $stderr == *'mount("none", "/", NULL, MS_REC|MS_PRIVATE, NULL) = 0'* ]]
	[[ $stderr == *'mount("proc", "/proc", "proc", MS_NOSUID|MS_NODEV|MS_NOEXEC, NULL) = 0'* ]]
	[[ $stderr == *"clone(SIGCHLD) = "* ]]
}

@test "bad input: unknown option gives the usage on stderr, exit 1" {
	run -1 --separate-stderr mini-unshare --bogus true
	assert_output ""
	[[ $stderr == *"mini-unshare: unknown option '--bogus'"* ]]
	[[ $stderr == *"Usage: mini-unshare"* ]]
	run -1 mini-unshare -Z true
	assert_line --index 0 "mini-unshare: unknown option '-Z'"
	# In a group getopt has not moved past the word yet: optopt names it.
	run -1 mini-unshare -zv true
	assert_line --index 0 "mini-unshare: unknown option '-z'"
	run -1 mini-unshare -vz true
	assert_line --index 0 "mini-unshare: unknown option '-z'"
	run -1 mini-unshare --pid=3 true
	assert_line --index 0 "mini-unshare: option '--pid' takes no value"
	run -1 mini-unshare --propagation
	assert_line --index 0 "mini-unshare: option '--propagation' needs a value"
	run -1 mini-unshare --propagation sideways true
	assert_output "mini-unshare: unknown propagation mode 'sideways'"
	run -1 mini-unshare --boottime soon true
	assert_output "mini-unshare: --boottime: not a number of seconds: 'soon'"
}

@test "HOP_LOCALEDIR: a set-user-ID copy does not take its messages from it" {
	requires cmd:msgfmt
	local dir=$HOP_NOBODY_BIN/planted
	mkdir -p "$dir/vi/LC_MESSAGES"
	printf '%s\n' 'msgid ""' 'msgstr "Content-Type: text/plain; charset=UTF-8\n"' \
		'msgid "no command given"' 'msgstr "PLANTED"' >"$dir/hop.po"
	msgfmt -o "$dir/vi/LC_MESSAGES/hop.mo" "$dir/hop.po"
	chmod -R a+rX "$dir"
	# The catalogue works when the caller is who the program runs as...
	run -1 env HOP_LOCALEDIR="$dir" LANGUAGE=vi mini-unshare
	assert_line --index 0 "mini-unshare: PLANTED"
	# ...and not in a set-user-ID root program started by someone else.
	cp "$HOP_BIN/mini-unshare" "$dir/suid-mini-unshare"
	chmod 4755 "$dir/suid-mini-unshare"
	# On a nosuid mount (the VM's /tmp) the bit does nothing: no test.
	[[ ,$(findmnt -no OPTIONS -T "$dir"), != *,nosuid,* ]] ||
		skip "$dir is on a nosuid mount: the set-user-ID bit is not honoured there"
	run -1 as_nobody env HOP_LOCALEDIR="$dir" LANGUAGE=vi "$dir/suid-mini-unshare"
	assert_line --index 0 --partial "suid-mini-unshare: "
	refute_output --partial PLANTED
}

@test "bad input: no command is a clear error" {
	run -1 mini-unshare -fp
	assert_line --index 0 "mini-unshare: no command given"
	assert_line --index 1 --partial "hint: try:"
}

@test "bad input: a command that does not exist exits 127, one that cannot run 126" {
	run -127 mini-unshare nosuch
	assert_output "mini-unshare: exec nosuch: No such file or directory"
	run -127 mini-unshare -fp nosuch
	assert_output "mini-unshare: exec nosuch: No such file or directory"
	local plain=$BATS_TEST_TMPDIR/not-a-program
	echo 'just text' >"$plain"
	chmod 644 "$plain"
	run -126 mini-unshare "$plain"
	assert_output "mini-unshare: exec $plain: Permission denied"
}

@test "--help and --version go to stdout and exit 0" {
	run -0 --separate-stderr mini-unshare --help
	assert_line --index 0 --partial "Usage: mini-unshare"
	assert_equal "$stderr" ""
	run -0 mini-unshare --version
	assert_output --regexp '^mini-unshare [0-9]+\.[0-9]+'
}
