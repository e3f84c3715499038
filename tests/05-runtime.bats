#!/usr/bin/env bats
# Day 05: mini-runc, an OCI runtime with runc's command line. A bundle
# made by `runc spec` runs unchanged under both; what they make is checked
# in the kernel (/proc, the cgroup files), side by side with runc 1.1.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	requires root cmd:jq
	[ -x "$HOP_ROOTFS/bin/sh" ] || skip "no busybox root: run make rootfs"
	runtime_bundle
	set_config '.process.args = ["/bin/probe", "sleep", "inf"]'
}

# Kill and remove what this test made, by its ids and its groups only.
teardown() {
	local id
	for id in "$T" "$T-a" "$T-b"; do
		mini-runc --root "$STATE" delete --force "$id" >/dev/null 2>&1 || true
		if command -v runc >/dev/null; then
			runc --root "$RUNC_STATE" delete --force "$id" >/dev/null 2>&1 || true
		fi
		cgroup_cleanup "hop-$id"
	done
	assert_equal "$(grep -c "$BATS_TEST_TMPDIR" /proc/self/mounts)" 0
	[ -z "${U:-}" ] || rm -rf "$U"
}

# The status field of `state`.
status_of() {
	mini-runc --root "$STATE" state "$1" | jq -r .status
}

@test "spec writes the config.json runc spec writes (and --rootless)" {
	requires cmd:runc
	local d=$BATS_TEST_TMPDIR/spec
	mkdir -p "$d/runc" "$d/ours" "$d/runc-rootless" "$d/ours-rootless"
	(cd "$d/runc" && runc spec)
	(cd "$d/ours" && mini-runc spec)
	(cd "$d/runc-rootless" && runc spec --rootless)
	(cd "$d/ours-rootless" && mini-runc spec --rootless)
	assert_equal "$(jq -S . "$d/ours/config.json")" "$(jq -S . "$d/runc/config.json")"
	assert_equal "$(jq -S . "$d/ours-rootless/config.json")" \
		"$(jq -S . "$d/runc-rootless/config.json")"
	# Like runc: never over an existing one.
	run -1 bash -c "cd '$d/ours' && mini-runc spec"
	assert_output --partial "config.json"
}

@test "a runc spec bundle runs unchanged under mini-runc and under runc" {
	requires cmd:runc
	set_config '.process.args = ["/bin/sh", "-c", "echo hello from $(hostname); exit 3"]'
	run -3 mini-runc --root "$STATE" run --bundle "$B" "$T"
	assert_output "hello from runc"
	run -3 runc_ run --bundle "$B" "$T"
	assert_output "hello from runc"
	# run removes what it made.
	[ ! -e "$STATE/$T" ]
	[ ! -d "$(base_cgroup_dir pids)/hop-$T" ]
}

@test "create leaves the init waiting on exec.fifo; start runs the command" {
	(cd "$B" && mini-runc --root "$STATE" create --pid-file "$B/pid" "$T" 3>&-)
	assert_equal "$(status_of "$T")" created
	pid=$(cat "$B/pid")
	# Alive, and still ours: it has not run the command yet.
	[ -d "/proc/$pid" ]
	assert_equal "$(cat /proc/$pid/comm)" mini-runc
	[ -p "$STATE/$T/exec.fifo" ]
	# In its own namespaces and its own group.
	[ "$(stat -L -c %i /proc/$pid/ns/pid)" != "$(host_ns pid)" ]
	grep -qx "$pid" "$(base_cgroup_dir pids)/hop-$T/cgroup.procs"
	mini-runc --root "$STATE" start "$T"
	wait_until "[ \"\$(cat /proc/$pid/comm)\" = probe ]"
	assert_equal "$(status_of "$T")" running
	[ ! -e "$STATE/$T/exec.fifo" ]
	run -1 mini-runc --root "$STATE" start "$T"
	assert_output --partial "cannot start an already running container"
}

@test "pause and resume freeze the container's group" {
	(cd "$B" && mini-runc --root "$STATE" run --detach --pid-file "$B/pid" "$T" 3>&-)
	pid=$(cat "$B/pid")
	mini-runc --root "$STATE" pause "$T"
	assert_equal "$(status_of "$T")" paused
	if [ "$(cgroup_mode)" = v2 ]; then
		assert_equal "$(cat "$(base_cgroup_dir pids)/hop-$T/cgroup.freeze")" 1
	else
		assert_equal "$(cat "$(base_cgroup_dir freezer)/hop-$T/freezer.state")" FROZEN
	fi
	mini-runc --root "$STATE" resume "$T"
	assert_equal "$(status_of "$T")" running
}

@test "kill stops it; delete removes its state and its groups" {
	(cd "$B" && mini-runc --root "$STATE" run --detach --pid-file "$B/pid" "$T" 3>&-)
	pid=$(cat "$B/pid")
	run -1 mini-runc --root "$STATE" delete "$T"
	assert_output --partial "not stopped: running"
	mini-runc --root "$STATE" kill "$T" KILL
	wait_until "[ \"\$(status_of $T)\" = stopped ]"
	mini-runc --root "$STATE" delete "$T"
	[ ! -e "$STATE/$T" ]
	for c in memory pids; do
		[ ! -d "$(base_cgroup_dir $c)/hop-$T" ]
	done
	run -1 mini-runc --root "$STATE" state "$T"
	assert_output --partial "container \"$T\" does not exist"
}

@test "delete --force kills a running container; kill --all every process" {
	set_config '.process.args = ["/bin/sh", "-c", "/bin/probe sleep inf & exec /bin/probe sleep inf"]'
	(cd "$B" && mini-runc --root "$STATE" run --detach "$T" 3>&-)
	procs=$(base_cgroup_dir pids)/hop-$T/cgroup.procs
	wait_until "[ \$(wc -l <$procs) -eq 2 ]"
	mini-runc --root "$STATE" kill --all "$T" TERM
	wait_until "[ \$(wc -l <$procs) -eq 0 ]"
	(cd "$B" && mini-runc --root "$STATE" run --detach "$T-a" 3>&-)
	mini-runc --root "$STATE" delete --force "$T-a"
	[ ! -e "$STATE/$T-a" ]
	[ ! -d "$(base_cgroup_dir pids)/hop-$T-a" ]
}

@test "state has runc's keys, in the created and the running phase" {
	requires cmd:runc
	(cd "$B" && mini-runc --root "$STATE" create "$T" 3>&-)
	(cd "$B" && runc_ create "$T" 3>&-)
	assert_equal "$(mini-runc --root "$STATE" state "$T" | jq -c 'keys')" \
		"$(runc_ state "$T" | jq -c 'keys + ["annotations"] | unique')"
	assert_equal "$(mini-runc --root "$STATE" state "$T" | jq -r .status)" \
		"$(runc_ state "$T" | jq -r .status)"
	mini-runc --root "$STATE" start "$T"
	runc_ start "$T"
	assert_equal "$(mini-runc --root "$STATE" state "$T" | jq -r '.status, .bundle, .rootfs')" \
		"$(runc_ state "$T" | jq -r '.status, .bundle, .rootfs')"
	run mini-runc --root "$STATE" list --format json
	assert_equal "$(jq -r '.[0].id' <<<"$output")" "$T"
}

@test "run --detach, then exec and ps inside it" {
	(cd "$B" && mini-runc --root "$STATE" run --detach --pid-file "$B/pid" "$T" 3>&-)
	run mini-runc --root "$STATE" exec "$T" /bin/probe pid
	assert_success
	# Joined its PID namespace: not PID 1 there, but not a host pid.
	[[ $(sed -n 's/^pid //p' <<<"$output") -gt 1 ]]
	run mini-runc --root "$STATE" exec --env FOO=bar "$T" /bin/sh -c 'echo $FOO; hostname'
	assert_output $'bar\nrunc'
	run -7 mini-runc --root "$STATE" exec "$T" /bin/sh -c 'exit 7'
	run mini-runc --root "$STATE" ps --format json "$T"
	assert_equal "$(jq -r '.[0]' <<<"$output")" "$(cat "$B/pid")"
}

@test "a user namespace from uidMappings: root inside is uid 100000 outside" {
	requires cmd:runc
	# runc spec --rootless, with a range of ids as an administrator
	# would map them, run by root.
	# Under a directory that uid 100000 can enter (bats' own is 0700).
	U=$(mktemp -d /tmp/hop-test.XXXXXX)
	chmod 755 "$U"
	mv "$B" "$U/bundle"
	B=$U/bundle
	rm "$B/config.json"
	(cd "$B" && mini-runc spec --rootless)
	set_config '.process.terminal = false
		| .process.args = ["/bin/sh", "-c", "id -u; cat /proc/self/uid_map"]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	run mini-runc --root "$STATE" run --bundle "$B" "$T"
	assert_success
	ours=$output
	assert_line --index 0 0
	assert_line --index 1 --regexp '^ +0 +100000 +65536$'
	run -0 runc_ run --bundle "$B" "$T"
	assert_equal "$ours" "$output"
	rm -rf "$U"
}

@test "--log gets each call and its error, as JSON lines with --log-format json (engines read them)" {
	run -1 mini-runc --root "$STATE" --log "$B/log.json" --log-format json state "$T"
	assert_output "mini-runc: container \"$T\" does not exist"
	assert_equal "$(jq -r '.level + " " + .msg' "$B/log.json")" \
		"debug state $T"$'\n'"error container \"$T\" does not exist"
	run -1 mini-runc --root "$STATE" --log "$B/log.txt" start "$T"
	assert_equal "$(sed 's/^time="[^"]*" //' "$B/log.txt")" \
		"level=debug msg=\"start $T\""$'\n'"level=error msg=\"container \\\"$T\\\" does not exist\""
	# A call that works leaves its line, and no error.
	mini-runc --root "$STATE" --log "$B/log.ok" list -q
	assert_equal "$(cat "$B/log.ok" | sed 's/^time="[^"]*" //')" 'level=debug msg="list -q"'
}

@test "events --stats: one JSON sample of the group's counters; features; --version" {
	(cd "$B" && mini-runc --root "$STATE" run --detach "$T" 3>&-)
	run -0 mini-runc --root "$STATE" events --stats "$T"
	assert_equal "$(jq -r '.type, .id' <<<"$output")" $'stats\n'"$T"
	# One process in the group, as the kernel counts it.
	procs=$(base_cgroup_dir pids)/hop-$T/cgroup.procs
	assert_equal "$(jq .data.pids.current <<<"$output")" "$(wc -l <"$procs")"
	[ "$(jq .data.memory.usage.usage <<<"$output")" -gt 0 ]
	run -0 mini-runc features
	assert_equal "$(jq -r '.linux.namespaces | length' <<<"$output")" 8
	run -0 mini-runc --version
	assert_line --index 0 --regexp '^mini-runc version [0-9.]+$'
	assert_line --index 1 --regexp '^spec: 1\.[0-9]+\.[0-9]+$'
}
