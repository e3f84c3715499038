#!/usr/bin/env bats
# Day 05: mini-runc given bad input, and killed with -9 at each step of a
# container's life. Each bad input is a clear error (what, where, and the
# JSON path for config.json), exit status 1 as runc's, and nothing left
# behind: no state under --root, no cgroup, no mount of the bundle, no
# process. runc 1.1 refuses the same configs with the same status (its
# words differ); where it does not, the test says so.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	requires root cmd:jq
	[ -x "$HOP_ROOTFS/bin/sh" ] || skip "no busybox root: run make rootfs"
	runtime_bundle
	set_config '.process.args = ["/bin/probe", "sleep", "inf"]'
}

ours() {
	mini-runc --root "$STATE" "$@"
}

has_runc() {
	command -v runc >/dev/null
}

# Kill and remove what this test made, by its ids, its groups and the pid
# files of its own hooks only.
teardown() {
	local file pid inits
	for file in "$BATS_TEST_TMPDIR"/*.hook-pid; do
		[ ! -s "$file" ] || kill -KILL "$(cat "$file")" 2>/dev/null || true
	done
	inits=$(ours state "$T" 2>/dev/null | jq .pid)
	ours delete --force "$T" >/dev/null 2>&1 || true
	if has_runc; then
		inits+=" $(runc_ state "$T" 2>/dev/null | jq .pid)"
		runc_ delete --force "$T" >/dev/null 2>&1 || true
	fi
	cgroup_cleanup "hop-$T"
	# Killed, a detached init is PID 1's to reap: gone before the next
	# test (and tests/leaks.bats) looks.
	for pid in $inits; do
		[ "$pid" -le 0 ] || wait_until "[ ! -e /proc/$pid ]" || true
	done
	# Only if a test failed: the host's /tmp reached through a link.
	if [ -e "/tmp/escape-$T" ]; then
		umount "/tmp/escape-$T" 2>/dev/null || true
		rmdir "/tmp/escape-$T"
	fi
	assert_equal "$(grep -c "$BATS_TEST_TMPDIR" /proc/self/mounts)" 0
}

# Nothing of container ID is left: no state (nor one half made, under its
# hidden name), no group in any hierarchy, no mount of the bundle, no
# process in its root or of ours naming it, no pid file.
refute_left() {
	local id=$1 c dir p root
	[ ! -e "$STATE/$id" ] || fail "state left: $STATE/$id"
	if [ -d "$STATE" ]; then
		run -0 find "$STATE" -mindepth 1 -maxdepth 1 -name ".$id.*"
		assert_output ""
	fi
	for c in cpu cpuset memory pids devices freezer; do
		dir=$(base_cgroup_dir "$c") || continue
		[ ! -d "$dir/hop-$id" ] || fail "cgroup left: $dir/hop-$id"
	done
	! grep -qF "$B" /proc/self/mounts || fail "a mount of the bundle is left"
	# A container's root, seen from the host: the same inode (its path
	# reads "/" from another mount namespace).
	root=$(stat -c %d:%i "$B/rootfs" 2>/dev/null) || root=none
	for p in /proc/[0-9]*; do
		[ "$(stat -L -c %d:%i "$p/root" 2>/dev/null)" != "$root" ] ||
			fail "process ${p#/proc/} left in the bundle's root"
		case $(readlink "$p/exe" 2>/dev/null) in
		"$HOP_BIN"/* | "$HOP_TOP"/build/*)
			! tr '\0' '\n' <"$p/cmdline" 2>/dev/null | grep -qxF -- "$id" ||
				fail "process ${p#/proc/} of ours names $id"
			;;
		esac
	done
	[ ! -e "$B/pid" ] || fail "pid file written"
}

# create must refuse the bundle with exit status 1, the message $1 (whole
# line, after "mini-runc: "), making nothing: not even --root.
assert_create_refused() {
	run -1 ours create --bundle "$B" --pid-file "$B/pid" "$T" 3>&-
	assert_output "mini-runc: $1"
	[ ! -e "$STATE" ] || fail "--root was made: $STATE"
	refute_left "$T"
}

# runc refuses it too, with the same status.
runc_refuses_too() {
	has_runc || return 0
	run -1 runc_ create --bundle "$B" "$T" 3>&-
	[ ! -e "$RUNC_STATE/$T" ] || fail "runc left its state"
}

# The status field of `state`.
status_of() {
	ours state "$1" | jq -r .status
}

@test "bad input: malformed JSON, with its line and column" {
	# The comma after "ociVersion" taken away.
	sed -i '2s/,$//' "$B/config.json"
	assert_create_refused "$B/config.json: line 3, column 11: '}' expected near '\"process\"'"
	runc_refuses_too
	printf '{"ociVersion": "1.0.2", "process": {' >"$B/config.json"
	run -1 ours create --bundle "$B" "$T" 3>&-
	assert_output --regexp "^mini-runc: $B/config.json: line 1, column [0-9]+: .*end of file"
	echo '["not", "an", "object"]' >"$B/config.json"
	assert_create_refused "$B/config.json: expected a JSON object, {...}"
	runc_refuses_too
}

@test "bad input: .process.args not an array of strings names its JSON path" {
	set_config '.process.args = "/bin/sh"'
	assert_create_refused "$B/config.json: .process.args: expected an array of strings"
	runc_refuses_too
	set_config '.process.args = ["/bin/sh", 1]'
	assert_create_refused "$B/config.json: .process.args[1]: expected a string"
	runc_refuses_too
	set_config '.process.args = []'
	assert_create_refused "$B/config.json: .process.args: must not be empty: args[0] is the program to run"
	set_config 'del(.process.args)'
	assert_create_refused "$B/config.json: .process.args: missing; it is required"
}

@test "bad input: a missing root filesystem, a missing config.json" {
	mv "$B/rootfs" "$B/elsewhere"
	assert_create_refused "root filesystem $B/rootfs (.root.path): No such file or directory"
	runc_refuses_too
	mv "$B/elsewhere" "$B/rootfs"
	rm "$B/config.json"
	assert_create_refused "$B/config.json: No such file or directory"
	runc_refuses_too
}

@test "bad input: a duplicate id is refused, and the first is left intact" {
	local pid
	ours create --bundle "$B" --pid-file "$B/first" "$T" 3>&-
	pid=$(cat "$B/first")
	run -1 ours create --bundle "$B" --pid-file "$B/pid" "$T" 3>&-
	assert_output "mini-runc: container with id exists: $T"
	[ ! -e "$B/pid" ]
	# The first: its state, its init in its group, and it starts.
	assert_equal "$(status_of "$T")" created
	assert_equal "$(ours state "$T" | jq -r .pid)" "$pid"
	grep -qx "$pid" "$(base_cgroup_dir pids)/hop-$T/cgroup.procs"
	ours start "$T"
	wait_until "[ \"\$(cat /proc/$pid/comm)\" = probe ]"
	assert_equal "$(status_of "$T")" running
	if has_runc; then
		runc_ create --bundle "$B" "$T" 3>&-
		run -1 runc_ create --bundle "$B" "$T" 3>&-
		assert_equal "$(runc_ state "$T" | jq -r .status)" created
	fi
}

@test "bad input: an unknown namespace type" {
	set_config '.linux.namespaces += [{"type": "bogus"}]'
	local i
	i=$(jq '.linux.namespaces | length - 1' "$B/config.json")
	assert_create_refused "$B/config.json: .linux.namespaces[$i].type: unknown namespace type 'bogus'"
	runc_refuses_too
}

@test "bad input: no mount namespace is refused, and our own mounts are untouched" {
	local before
	before=$(md5sum </proc/self/mountinfo)
	set_config '.linux.namespaces |= map(select(.type != "mount"))'
	# pivot_root there would make the bundle the root of every process
	# in our mount namespace. (runc mounts /proc and /dev of the bundle
	# in the caller's namespace instead, and leaves them there.)
	assert_create_refused "config.json: .linux.namespaces: no mount namespace; mini-runc pivots the root, which would be the host's (add {\"type\": \"mount\"})"
	assert_equal "$(md5sum </proc/self/mountinfo)" "$before"
}

@test "bad input: a security field we do not support is refused, not dropped" {
	set_config '.process.apparmorProfile = "x"'
	assert_create_refused "$B/config.json: .process.apparmorProfile: not supported by mini-runc"
	# runc fails too: in its init, when the profile cannot be applied.
	runc_refuses_too
	set_config '.process.apparmorProfile = "" | .process.selinuxLabel = "system_u:system_r:container_t:s0"'
	assert_create_refused "$B/config.json: .process.selinuxLabel: not supported by mini-runc"
}

@test "bad input: a mount onto a symlink out of the rootfs lands inside the rootfs, as runc's" {
	ln -s "/../../../../tmp/escape-$T" "$B/rootfs/data"
	set_config '.mounts += [{"destination": "/data", "type": "tmpfs", "source": "tmpfs"}]'
	ours create --bundle "$B" --pid-file "$B/ours" "$T" 3>&-
	# The link was followed inside the root (as runc's securejoin does):
	# the tmpfs is on the root's /tmp/escape-$T, in the container only.
	[ ! -e "/tmp/escape-$T" ]
	run -1 grep "escape-$T" /proc/self/mounts
	[ -d "$B/rootfs/tmp/escape-$T" ]
	run -0 awk -v at="/tmp/escape-$T" '$5 == at { print $(NF - 2) }' "/proc/$(cat "$B/ours")/mountinfo"
	assert_output tmpfs
	ours delete --force "$T"
	refute_left "$T"
	rm "$B/ours"
	if has_runc; then
		rmdir "$B/rootfs/tmp/escape-$T"
		runc_ create --bundle "$B" --pid-file "$B/runc" "$T" 3>&-
		[ ! -e "/tmp/escape-$T" ]
		[ -d "$B/rootfs/tmp/escape-$T" ]
		run -0 awk -v at="/tmp/escape-$T" '$5 == at { print $(NF - 2) }' "/proc/$(cat "$B/runc")/mountinfo"
		assert_output tmpfs
	fi
}

@test "bad input: a masked path that is a symlink is refused" {
	ln -s "/../../../../tmp/escape-$T" "$B/rootfs/data"
	set_config '.linux.maskedPaths += ["/data"]'
	run -1 ours create --bundle "$B" --pid-file "$B/pid" "$T" 3>&-
	assert_output "mini-runc: maskedPaths: /data is a symlink, or goes through one"
	refute_left "$T"
	[ ! -e "/tmp/escape-$T" ]
	# runc 1.1 is not as strict: it resolves the link in the container's
	# root, finds nothing there, and skips it.
	# (Not in `run`: its init would hold the output pipe open.)
	if has_runc; then
		runc_ create --bundle "$B" "$T" >/dev/null 2>&1 3>&-
	fi
}

@test "bad input: /proc in the rootfs a symlink is refused" {
	mkdir "$BATS_TEST_TMPDIR/other"
	rmdir "$B/rootfs/proc"
	ln -s "$BATS_TEST_TMPDIR/other" "$B/rootfs/proc"
	run -1 ours create --bundle "$B" --pid-file "$B/pid" "$T" 3>&-
	assert_output --partial "mini-runc: mount proc on /proc (.mounts[0]): /proc is a symlink, or goes through one"
	refute_left "$T"
	# Nothing was mounted where the link points.
	run -1 grep -F "$BATS_TEST_TMPDIR/other" /proc/self/mounts
	runc_refuses_too
}

@test "bad input: ids with '/', '..', '.', empty or over 1024 bytes are refused before anything is made" {
	local id long
	long=$(printf 'a%.0s' {1..1025})
	for id in a/b ../x .. . "" "$long"; do
		run -1 ours create --bundle "$B" --pid-file "$B/pid" "$id" 3>&-
		assert_output "mini-runc: invalid container id '${id:0:64}' (1 to 1024 of A-Z a-z 0-9 _ + . -, not . or ..)"
		[ ! -e "$STATE" ]
		[ ! -e "$B/pid" ]
		run -1 ours state "$id"
		assert_output --partial "invalid container id"
		if has_runc; then
			run -1 runc_ create --bundle "$B" "$id" 3>&-
		fi
	done
	run -0 find /sys/fs/cgroup -maxdepth 8 -name '*aaaaaaaaaaaaaaaa*'
	assert_output ""
}

@test "bad input: kill with an unknown signal sends nothing; a name in any case is known, as runc's" {
	ours create --bundle "$B" --pid-file "$B/init" "$T" 3>&-
	local signal
	# A number with no signal is as unknown as a name.
	for signal in BOGUS SIGBOGUS -9 0 99 0x9; do
		run -1 ours kill "$T" "$signal"
		assert_output "mini-runc: unknown signal '$signal' (a name like KILL or SIGTERM, or a number)"
	done
	assert_equal "$(status_of "$T")" created
	[ -d "/proc/$(cat "$B/init")" ]
	# A name in any case is no bad input: runc takes "sigkill" too.
	ours kill "$T" sigkill
	wait_until "[ \"\$(status_of $T)\" = stopped ]"
	if has_runc; then
		runc_ create --bundle "$B" "$T" 3>&-
		run -1 runc_ kill "$T" BOGUS
		assert_equal "$(runc_ state "$T" | jq -r .status)" created
		runc_ kill "$T" sigkill
		wait_until "[ \"\$(runc_ state $T | jq -r .status)\" = stopped ]"
	fi
}

@test "bad input: verbs on a container that does not exist; delete --force of one is fine" {
	local verb
	for verb in start state kill delete pause resume ps "events --stats"; do
		# shellcheck disable=SC2086 # the verb may carry its option
		run -1 ours $verb "$T"
		assert_output "mini-runc: container \"$T\" does not exist"
		if has_runc; then
			# shellcheck disable=SC2086
			run -1 runc_ $verb "$T"
		fi
	done
	run -1 ours exec "$T" /bin/true
	assert_output "mini-runc: container \"$T\" does not exist"
	# As runc's: nothing to delete is no error.
	run -0 ours delete --force "$T"
	assert_output ""
	[ ! -e "$STATE" ]
	if has_runc; then
		run -0 runc_ delete --force "$T"
	fi
}

@test "bad input: exec into a stopped container" {
	ours create --bundle "$B" --pid-file "$B/init" "$T" 3>&-
	ours start "$T"
	ours kill "$T" KILL
	wait_until "[ \"\$(status_of $T)\" = stopped ]"
	run -1 ours exec "$T" /bin/probe sleep inf
	assert_output "mini-runc: cannot exec in a container that is stopped"
	run -0 cat "$(base_cgroup_dir pids)/hop-$T/cgroup.procs"
	assert_output ""
	# runc's status here is 255.
	if has_runc; then
		runc_ create --bundle "$B" "$T" 3>&-
		runc_ start "$T"
		runc_ kill "$T" KILL
		wait_until "[ \"\$(runc_ state $T | jq -r .status)\" = stopped ]"
		run -255 runc_ exec "$T" /bin/true
	fi
}

@test "bad input: --root relative, unknown command, unknown option" {
	mkdir "$BATS_TEST_TMPDIR/cwd"
	cd "$BATS_TEST_TMPDIR/cwd"
	run -1 mini-runc --root relative create --bundle "$B" "$T"
	assert_output "mini-runc: --root relative: not an absolute path"
	run -1 mini-runc --root relative delete --force "$T"
	assert_output "mini-runc: --root relative: not an absolute path"
	[ ! -e relative ]
	# runc takes it, and makes ./relative: ours refuses before that.
	run -1 ours bogus "$T"
	assert_line --index 0 "mini-runc: unknown command 'bogus'"
	assert_line --index 1 --partial "Usage: mini-runc"
	run -1 mini-runc --bogus state "$T"
	assert_line --index 0 "mini-runc: unknown option '--bogus'"
	assert_line --index 1 --partial "Usage: mini-runc"
	run -1 ours create --bogus "$T"
	assert_line --index 0 "mini-runc: unknown option '--bogus'"
	assert_line --index 1 --partial "Usage: mini-runc"
	run -1 ours create --bundle
	assert_line --index 0 --partial "mini-runc: "
	assert_line --index 0 --partial "--bundle"
	[ ! -e "$STATE" ]
	if has_runc; then
		run -1 runc --bogus state "$T"
		run -1 runc_ create --bogus "$T"
	fi
}

@test "bad input: process.terminal true without --console-socket" {
	set_config '.process.terminal = true'
	assert_create_refused "config.json: .process.terminal is true: give --console-socket, or set it to false"
	runc_refuses_too
}

@test "bad input: a command not in the rootfs fails create, not start" {
	set_config '.process.args = ["nope"]'
	run -1 ours create --bundle "$B" --pid-file "$B/pid" "$T" 3>&-
	assert_output "mini-runc: exec: \"nope\": executable file not found in \$PATH"
	refute_left "$T"
	[ -z "$(ls -A "$STATE")" ]
	set_config '.process.args = ["/bin/nope"]'
	run -1 ours create --bundle "$B" --pid-file "$B/pid" "$T" 3>&-
	assert_output --partial "/bin/nope"
	refute_left "$T"
	runc_refuses_too
}

@test "bad input: a failing createRuntime hook undoes the create" {
	printf '#!/bin/sh\nexit 3\n' >"$BATS_TEST_TMPDIR/fail"
	chmod +x "$BATS_TEST_TMPDIR/fail"
	set_config ".hooks.createRuntime = [{\"path\": \"$BATS_TEST_TMPDIR/fail\"}]"
	run -1 ours create --bundle "$B" --pid-file "$B/pid" "$T" 3>&-
	assert_output --partial "mini-runc: createRuntime hook $BATS_TEST_TMPDIR/fail ended with status 3"
	refute_left "$T"
	[ -z "$(ls -A "$STATE")" ]
	runc_refuses_too
}

@test "bad input: --root a symlink, not 0700 or not root's is refused" {
	mkdir -m 0700 "$BATS_TEST_TMPDIR/real"
	ln -s "$BATS_TEST_TMPDIR/real" "$BATS_TEST_TMPDIR/link"
	mkdir -m 0755 "$BATS_TEST_TMPDIR/open"
	mkdir -m 0700 "$BATS_TEST_TMPDIR/theirs"
	chown 65534 "$BATS_TEST_TMPDIR/theirs"
	local verb
	for verb in "create --bundle $B" state "delete --force"; do
		# shellcheck disable=SC2086
		run -1 mini-runc --root "$BATS_TEST_TMPDIR/link" $verb "$T" 3>&-
		assert_output "mini-runc: state directory $BATS_TEST_TMPDIR/link is a symbolic link; refusing to use it"
		# shellcheck disable=SC2086
		run -1 mini-runc --root "$BATS_TEST_TMPDIR/open" $verb "$T" 3>&-
		assert_output "mini-runc: state directory $BATS_TEST_TMPDIR/open has mode 0755, not 0700; refusing to use it"
		# shellcheck disable=SC2086
		run -1 mini-runc --root "$BATS_TEST_TMPDIR/theirs" $verb "$T" 3>&-
		assert_output "mini-runc: state directory $BATS_TEST_TMPDIR/theirs is owned by uid 65534, not root; refusing to use it"
	done
	[ -L "$BATS_TEST_TMPDIR/link" ]
	run -0 find "$BATS_TEST_TMPDIR/real" "$BATS_TEST_TMPDIR/open" \
		"$BATS_TEST_TMPDIR/theirs" -mindepth 1
	assert_output ""
	refute_left "$T"
}

# ---- kill -9 at each step: what is left, delete --force cleans ----

@test "kill -9 of mini-runc create while it makes the container: delete --force cleans, the id is free" {
	# A createRuntime hook that says it runs, then blocks: the moment
	# is the parent's, the init waits in its namespaces and group.
	cat >"$BATS_TEST_TMPDIR/block" <<-EOF
		#!/bin/sh
		echo \$\$ >"$BATS_TEST_TMPDIR/block.hook-pid"
		exec /bin/sleep 1000
	EOF
	chmod +x "$BATS_TEST_TMPDIR/block"
	cp "$B/config.json" "$B/plain.json"
	set_config ".hooks.createRuntime = [{\"path\": \"$BATS_TEST_TMPDIR/block\"}]"
	local procs runtime init rc
	procs=$(base_cgroup_dir pids)/hop-$T/cgroup.procs
	mini-runc --root "$STATE" create --bundle "$B" --pid-file "$B/pid" "$T" \
		</dev/null >/dev/null 2>&1 3>&- &
	runtime=$!
	wait_until "[ -s $BATS_TEST_TMPDIR/block.hook-pid ]"
	init=$(cat "$procs")
	[ -n "$init" ]
	kill -KILL "$runtime"
	rc=0
	wait "$runtime" || rc=$?
	assert_equal "$rc" 137
	# The init goes with it (PR_SET_PDEATHSIG), before it ran anything.
	wait_until "! grep -q . $procs"
	wait_until "[ ! -e /proc/$init ]"
	[ ! -e "$B/pid" ]
	# What is left is a stopped container that the next command sees;
	# the hook, still blocked, holds no lock of it.
	assert_equal "$(timeout 10 mini-runc --root "$STATE" state "$T" | jq -r .status)" stopped
	run -1 ours create --bundle "$B" "$T" 3>&-
	assert_output "mini-runc: container with id exists: $T"
	run -0 timeout 10 mini-runc --root "$STATE" delete --force "$T"
	refute_left "$T"
	kill -KILL "$(cat "$BATS_TEST_TMPDIR/block.hook-pid")"
	# The id is free again.
	mv "$B/plain.json" "$B/config.json"
	ours create --bundle "$B" --pid-file "$B/pid" "$T" 3>&-
	ours start "$T"
	assert_equal "$(status_of "$T")" running
}

@test "kill -9 of the init between create and start: state says stopped, delete cleans" {
	local pid
	ours create --bundle "$B" --pid-file "$B/init" "$T" 3>&-
	pid=$(cat "$B/init")
	kill -KILL "$pid"
	wait_until "[ \"\$(status_of $T)\" = stopped ]"
	wait_until "[ ! -e /proc/$pid ]"
	run -1 ours start "$T"
	assert_output "mini-runc: cannot start a container that has stopped"
	ours delete "$T"
	rm "$B/init"
	refute_left "$T"
	if has_runc; then
		runc_ create --bundle "$B" --pid-file "$B/runc" "$T" 3>&-
		kill -KILL "$(cat "$B/runc")"
		wait_until "[ \"\$(runc_ state $T | jq -r .status)\" = stopped ]"
		runc_ delete "$T"
	fi
}

@test "kill -9 of the init while it runs: state says stopped, delete cleans" {
	local pid
	ours run --detach --bundle "$B" --pid-file "$B/init" "$T" 3>&-
	pid=$(cat "$B/init")
	wait_until "[ \"\$(cat /proc/$pid/comm)\" = probe ]"
	kill -KILL "$pid"
	wait_until "[ \"\$(status_of $T)\" = stopped ]"
	wait_until "[ ! -e /proc/$pid ]"
	ours delete "$T"
	rm "$B/init"
	refute_left "$T"
}

@test "kill -9 of a foreground mini-runc run: the container keeps running, as runc's" {
	local runtime pid rc
	mini-runc --root "$STATE" run --bundle "$B" --pid-file "$B/init" "$T" \
		</dev/null >/dev/null 2>&1 3>&- &
	runtime=$!
	wait_until "[ -s $B/init ] && [ \"\$(cat /proc/\$(cat $B/init)/comm)\" = probe ]"
	pid=$(cat "$B/init")
	kill -KILL "$runtime"
	rc=0
	wait "$runtime" || rc=$?
	assert_equal "$rc" 137
	# Nobody waits for it now but PID 1 (or a subreaper): it runs on.
	wait_until "[ \"\$(awk '/^PPid:/ { print \$2 }' /proc/$pid/status)\" != $runtime ]"
	[ "$(cat "/proc/$pid/comm")" = probe ]
	assert_equal "$(status_of "$T")" running
	ours delete --force "$T"
	wait_until "[ ! -e /proc/$pid ]"
	rm "$B/init"
	refute_left "$T"
	if has_runc; then
		runc --root "$RUNC_STATE" run --bundle "$B" --pid-file "$B/runc" "$T" \
			</dev/null >/dev/null 2>&1 3>&- &
		runtime=$!
		wait_until "[ -s $B/runc ] && [ \"\$(cat /proc/\$(cat $B/runc)/comm)\" = probe ]"
		pid=$(cat "$B/runc")
		kill -KILL "$runtime"
		rc=0
		wait "$runtime" || rc=$?
		assert_equal "$rc" 137
		[ "$(cat "/proc/$pid/comm")" = probe ]
		assert_equal "$(runc_ state "$T" | jq -r .status)" running
		runc_ delete --force "$T"
		wait_until "[ ! -e /proc/$pid ]"
	fi
}

@test "a second command waits while a first holds the container's lock" {
	ours create --bundle "$B" "$T" 3>&-
	local lock waiter inode
	inode=$(stat -c %i "$STATE/$T/lock")
	exec {lock}<>"$STATE/$T/lock"
	flock -x "$lock"
	timeout 20 mini-runc --root "$STATE" state "$T" >"$BATS_TEST_TMPDIR/out" {lock}>&- 3>&- &
	waiter=$!
	# Blocked in flock(2): the kernel lists a waiter on that very file.
	wait_until "grep -q -- '-> FLOCK .*:$inode ' /proc/locks"
	[ ! -s "$BATS_TEST_TMPDIR/out" ]
	exec {lock}>&-
	wait "$waiter"
	assert_equal "$(jq -r .status "$BATS_TEST_TMPDIR/out")" created
}
