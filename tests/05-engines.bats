#!/usr/bin/env bats
# Day 05 under real engines: podman and containerd, as Debian 12 ships
# them, drive mini-runc through the OCI runtime interface, and every result
# is compared with the same engine driving runc. The image is made here
# from the project's busybox root (tools/engines image): nothing is pulled.
# podman's settings live in build/engines (tools/engines env); its cgroup
# manager follows the machine: cgroupfs, with every container beneath our
# own cgroup, or systemd where systemd is PID 1 (the systemd lane).
bats_require_minimum_version 1.5.0
load helpers

IMAGE=localhost/hop-busybox:latest

setup_file() {
	[ "$(id -u)" -eq 0 ] && command -v podman >/dev/null &&
		[ -x "$HOP_ROOTFS/bin/sh" ] || return 0
	"$HOP_TOP/tools/engines" image >/dev/null
}

setup() {
	requires root cmd:podman cmd:runc cmd:jq cmd:conmon
	[ -x "$HOP_ROOTFS/bin/sh" ] || skip "no busybox root: run make rootfs"
	eval "$("$HOP_TOP/tools/engines" env)"
	T=t$$-$BATS_TEST_NUMBER
	MANAGER=$(awk -F'"' '/^cgroup_manager/ { print $2 }' "$CONTAINERS_CONF")
	# Each test's containers go in a group of its own (cgroupfs), which
	# teardown removes; systemd puts them in machine.slice, one scope each.
	if [ "$MANAGER" = systemd ]; then
		PARENT=machine.slice
	else
		PARENT=$("$HOP_TOP/tools/engines" cgroup-parent)/$T
	fi
	MINI=$HOP_BIN/mini-runc
	RUNC=$(command -v runc)
}

# Remove what this test made: its containers (named $T-...), by podman and
# by ctr, and its cgroup parent with whatever a failure left in it.
teardown() {
	local name dir
	for name in $(podman ps -a --format '{{.Names}}' 2>/dev/null | grep "^$T-" || true); do
		podman rm -f -t 0 "$name" >/dev/null 2>&1 || true
	done
	if [ -S "${CONTAINERD_ADDRESS:-}" ]; then
		for name in $(ctr containers ls -q 2>/dev/null | grep "^$T-" || true); do
			ctr tasks kill -s KILL "$name" >/dev/null 2>&1 || true
			ctr tasks delete -f "$name" >/dev/null 2>&1 || true
			ctr containers delete "$name" >/dev/null 2>&1 || true
		done
	fi
	case ${PARENT:-} in /*) ;; *) return 0 ;; esac
	for dir in /sys/fs/cgroup/*"$PARENT" /sys/fs/cgroup"$PARENT"; do
		[ -d "$dir" ] || continue
		find "$dir" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
		wait_until "find '$dir' -depth -type d -exec rmdir {} + 2>/dev/null; [ ! -d '$dir' ]" 5 || true
	done
}

teardown_file() {
	"$HOP_TOP/tools/engines" containerd stop >/dev/null 2>&1 || true
	"$HOP_TOP/tools/engines" cgroup-clean || true
}

# podman run with the runtime $1 and name $T-$2, then podman's arguments.
pod_run() {
	local runtime=$1 name=$2
	shift 2
	podman --runtime "$runtime" run --name "$T-$name" --cgroup-parent "$PARENT" "$@"
}

# The directory of the cgroup that pid $1 is in, for controller $2.
cgroup_of() {
	local pid=$1 controller=$2 mount path
	if [ "$(cgroup_mode)" = v2 ]; then
		path=$(awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup")
		echo "/sys/fs/cgroup$path"
		return
	fi
	read -r mount _ < <(own_cgroup "$controller")
	path=$(awk -F: -v c="$controller" '{ n = split($2, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) print $3 }' "/proc/$pid/cgroup")
	echo "$mount$path"
}

# ---- podman: the flags of `podman run` a user types, as a table ----------
#
# One row per flag: NAME | podman run options | the command run inside (by
# sh -c). Each row runs under runc and under mini-runc; the output and the
# exit status must be the same. A new flag is one more line. Nothing racy:
# a count of processes would include the pipeline's own, caught half-forked.
FLAGS=(
	"plain run       |                                  | echo hello; cat /etc/os-release 2>&1 | wc -l"
	"exit status     |                                  | exit 3"
	"pid namespace   |                                  | echo \$\$; ps -o pid,comm | awk '\$1 == 1'"
	"default caps    |                                  | grep -E '^Cap(Prm|Eff|Bnd|Amb)' /proc/self/status"
	"cap-drop all    | --cap-drop all --cap-add net_raw | grep -E '^Cap(Prm|Eff|Bnd|Amb)' /proc/self/status"
	"cap-add         | --cap-add sys_admin              | grep -E '^Cap(Eff|Bnd)' /proc/self/status"
	"read-only       | --read-only                      | touch /x 2>&1; touch /tmp/y /run/z /var/tmp/w && echo tmp dirs writable"
	"user            | --user 1000:1000                 | id; touch /etc/x 2>&1"
	"workdir, env    | -w /tmp -e HOP=day05             | pwd; echo \$HOP"
	"hostname        | --hostname box                   | hostname; cat /etc/hostname"
	"bind mount      | -v VOL:/mnt:ro                   | cat /mnt/file; touch /mnt/x 2>&1"
	"tmpfs           | --tmpfs /data:size=1m            | df -k /data | awk 'NR == 2 { print \$2 }'"
	"seccomp profile | --security-opt seccomp=/usr/share/containers/seccomp.json | grep -E '^Seccomp:' /proc/self/status"
	"unconfined      | --security-opt seccomp=unconfined | grep -E '^Seccomp:' /proc/self/status"
	"no-new-privs    | --security-opt no-new-privileges | grep NoNewPrivs /proc/self/status"
	"masked paths    |                                  | cat /proc/kcore 2>&1 | wc -c; ls /sys/firmware | wc -l"
	"ulimit          | --ulimit nofile=256:512 --ulimit nproc=512:1024 | ulimit -n; ulimit -Hn; ulimit -u"
)

@test "podman run: each flag of the table gives what it gives under runc" {
	local row name opts cmd runtime out failed="" i=0
	mkdir -p "$BATS_TEST_TMPDIR/vol"
	echo "a file from the host" >"$BATS_TEST_TMPDIR/vol/file"
	for row in "${FLAGS[@]}"; do
		IFS='|' read -r name opts cmd <<<"$row"
		name=$(echo $name) i=$((i + 1))
		opts=${opts//VOL/$BATS_TEST_TMPDIR/vol}
		local -A seen=()
		for runtime in "$RUNC" "$MINI"; do
			# shellcheck disable=SC2086 # opts is a list of options
			out=$(pod_run "$runtime" "flag$i-${runtime##*/}" --rm $opts "$IMAGE" sh -c "$cmd" 2>&1; echo "status $?")
			seen[$runtime]=$out
		done
		if [ "${seen[$RUNC]}" != "${seen[$MINI]}" ]; then
			failed+="$name:"$'\n'"  runc:      ${seen[$RUNC]//$'\n'/$'\n'           }"$'\n'"  mini-runc: ${seen[$MINI]//$'\n'/$'\n'           }"$'\n'
		fi
		# Both must have run the command, not failed to start it.
		case ${seen[$MINI]} in *"OCI runtime"* | *"Error:"*) failed+="$name: ${seen[$MINI]}"$'\n' ;; esac
	done
	[ -z "$failed" ] || fail "differences from runc:"$'\n'"$failed"
}

@test "podman run: the limits land in the container's cgroup files, as under runc" {
	local runtime pid dir v1 mem pids cpu
	for runtime in "$RUNC" "$MINI"; do
		pod_run "$runtime" "limits-${runtime##*/}" -d --memory 50m --pids-limit 20 --cpus 0.5 "$IMAGE" sleep 1000
		pid=$(podman inspect --format '{{.State.Pid}}' "$T-limits-${runtime##*/}")
		# The group podman asked for: beneath its parent, one per container.
		dir=$(cgroup_of "$pid" memory)
		if [ "$MANAGER" = systemd ]; then
			assert_regex "$dir" "/machine.slice/libpod-[0-9a-f]{64}\.scope\$"
		else
			assert_regex "$dir" "$PARENT/libpod-[0-9a-f]{64}\$"
		fi
		if [ "$(cgroup_mode)" = v2 ]; then
			mem=$(cat "$dir/memory.max") pids=$(cat "$dir/pids.max") cpu=$(cat "$dir/cpu.max")
		else
			mem=$(cat "$dir/memory.limit_in_bytes")
			pids=$(cat "$(cgroup_of "$pid" pids)/pids.max")
			v1=$(cgroup_of "$pid" cpu)
			cpu="$(cat "$v1/cpu.cfs_quota_us") $(cat "$v1/cpu.cfs_period_us")"
		fi
		assert_equal "$mem $pids $cpu" "52428800 20 50000 100000"
		podman rm -f -t 0 "$T-limits-${runtime##*/}" >/dev/null
	done
}

@test "podman run --memory: the OOM kill is seen by podman as under runc (137, OOMKilled)" {
	local runtime state=()
	# conmon writes a file named oom in its working directory: not ours.
	cd "$BATS_TEST_TMPDIR"
	for runtime in "$RUNC" "$MINI"; do
		run pod_run "$runtime" "oom-${runtime##*/}" --memory 20m --memory-swap 20m "$IMAGE" \
			sh -c 'x=$(head -c 100000000 /dev/zero | tr "\0" a); echo survived'
		assert_equal "$status" 137
		refute_output --partial survived
		state+=("$(podman inspect --format '{{.State.ExitCode}} {{.State.OOMKilled}}' "$T-oom-${runtime##*/}")")
	done
	# The OOMKilled flag is conmon's guess (it watches the group's OOM
	# events); whatever it says, it says the same of both runtimes.
	assert_equal "${state[1]}" "${state[0]}"
}

@test "podman run -d, ps, logs, exec, stop, rm: the life of a container, driven through mini-runc" {
	local id
	id=$(pod_run "$MINI" life -d "$IMAGE" sh -c 'echo started; trap "echo bye; exit 0" TERM; while :; do sleep 0.1; done')
	run -0 podman ps --format '{{.Names}}'
	assert_line "$T-life"
	run -0 podman inspect --format '{{.State.Status}}' "$T-life"
	assert_output running
	wait_until "podman logs $T-life | grep -q started" 5
	run -0 podman exec "$T-life" sh -c 'echo from exec; echo $$; cat /proc/1/cmdline | tr "\0" " "'
	assert_line "from exec"
	refute_line 1
	assert_line --partial "while :"
	# exec shares the container's namespaces: its pid namespace, too.
	run -0 podman exec "$T-life" ps -o pid,comm
	assert_line --regexp '^ +1 sh$'
	# The runtime podman recorded and calls is ours.
	run -0 podman inspect --format '{{.OCIRuntime}}' "$T-life"
	assert_output "$MINI"
	run -0 podman stop -t 5 "$T-life"
	run -0 podman logs "$T-life"
	assert_output $'started\nbye'
	run -0 podman inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$T-life"
	assert_output "exited 0"
	podman rm "$T-life" >/dev/null
	[ -z "$(podman ps -a -q --filter "id=$id")" ]
}

@test "podman run -t: the console socket gives the container a terminal, as under runc" {
	local runtime out=()
	for runtime in "$RUNC" "$MINI"; do
		out+=("$(pod_run "$runtime" "tty-${runtime##*/}" --rm -t "$IMAGE" sh -c 'tty; [ -t 0 ] && echo stdin is a terminal' </dev/null | tr -d '\r')")
	done
	assert_equal "${out[0]}" $'/dev/pts/0\nstdin is a terminal'
	assert_equal "${out[1]}" "${out[0]}"
}

@test "podman rm -f of a running mini-runc container leaves nothing: state, cgroup, mounts, conmon" {
	local pid dir conmon id
	pod_run "$MINI" gone -d "$IMAGE" sleep 1000 >/dev/null
	pid=$(podman inspect --format '{{.State.Pid}}' "$T-gone")
	conmon=$(podman inspect --format '{{.State.ConmonPid}}' "$T-gone")
	dir=$(cgroup_of "$pid" pids)
	id=$(podman inspect --format '{{.Id}}' "$T-gone")
	# podman gives no --root: mini-runc keeps its record in its own.
	run -0 mini-runc list -q
	assert_line "$id"
	assert_dir_exists "$dir"
	podman rm -f -t 0 "$T-gone" >/dev/null
	assert_not_exists "/proc/$pid"
	wait_until "[ ! -e /proc/$conmon ]" 5
	assert_dir_not_exists "$dir"
	run -0 mini-runc list -q
	refute_output --partial "$id"
	assert_dir_not_exists "/run/hop/runc/$id"
	run ! grep -q "$id" /proc/self/mountinfo
}

@test "podman with the systemd cgroup manager: mini-runc asks systemd for libpod-ID.scope" {
	[ "${MANAGER:-}" = systemd ] || skip "needs systemd as PID 1 (runs in make test-systemd)"
	local pid unit
	pod_run "$MINI" scope -d --memory 30m "$IMAGE" sleep 1000 >/dev/null
	pid=$(podman inspect --format '{{.State.Pid}}' "$T-scope")
	unit=libpod-$(podman inspect --format '{{.Id}}' "$T-scope").scope
	run -0 grep -x "0::/machine.slice/$unit" "/proc/$pid/cgroup"
	run -0 systemctl show -p ActiveState -p Delegate -p Slice "$unit"
	assert_line ActiveState=active
	assert_line Delegate=yes
	assert_line Slice=machine.slice
	assert_equal "$(cat "/sys/fs/cgroup/machine.slice/$unit/memory.max")" 31457280
	podman rm -f -t 0 "$T-scope" >/dev/null
	wait_until "! systemctl is-active -q $unit" 5
	assert_dir_not_exists "/sys/fs/cgroup/machine.slice/$unit"
}

# ---- containerd --------------------------------------------------------

# containerd on its own socket, root and state (tools/engines), and the
# image imported into it.
start_containerd() {
	requires cmd:containerd cmd:ctr cmd:containerd-shim-runc-v2
	"$HOP_TOP/tools/engines" containerd start
	"$HOP_TOP/tools/engines" image >/dev/null
	CPARENT=$("$HOP_TOP/tools/engines" cgroup-parent --cgroupfs)/$T
	PARENT=$CPARENT
}

@test "ctr run --runc-binary: containerd's shim drives mini-runc as it drives runc" {
	start_containerd
	local runtime out=()
	for runtime in "$RUNC" "$MINI"; do
		out+=("$(timeout 60 ctr run --rm --runc-binary "$runtime" --cgroup "$CPARENT/${runtime##*/}" \
			"$IMAGE" "$T-${runtime##*/}" sh -c 'echo hello from $$; grep -E "^Cap(Eff|Bnd)" /proc/self/status; exit 4'; echo "status $?")")
	done
	assert_equal "${out[0]}" $'hello from 1\nCapEff:\t00000000a80425fb\nCapBnd:\t00000000a80425fb\nstatus 4'
	assert_equal "${out[1]}" "${out[0]}"
}

@test "runtime swap: the same image through containerd, with runc and then with hop (mini-runc), in the process tree" {
	start_containerd
	local runtime pid shim exe
	for runtime in "$RUNC" "$MINI"; do
		ctr run -d --runc-binary "$runtime" --cgroup "$CPARENT/${runtime##*/}" "$IMAGE" "$T-${runtime##*/}" sleep 1000
		pid=$(ctr tasks ls | awk -v id="$T-${runtime##*/}" '$1 == id { print $2 }')
		# The container's init is the shim's child; the shim asked the
		# runtime to make it, with the runtime's state under --root.
		shim=$(awk '/^PPid:/ { print $2 }' "/proc/$pid/status")
		exe=$(readlink "/proc/$shim/exe")
		assert_equal "${exe##*/}" containerd-shim-runc-v2
		# containerd keeps the runtime as the shim's BinaryName option.
		ctr containers info "$T-${runtime##*/}" | jq -r .Runtime.Options.value | base64 -d | grep -aq "$runtime"
		# The runtime's own record, under the --root the shim gives:
		# runc writes state.json; mini-runc its day 04 state, cgroups
		# file and lock included.
		if [ "$runtime" = "$MINI" ]; then
			assert_file_exists "/run/containerd/runc/hop/$T-${runtime##*/}/cgroups"
		else
			assert_file_not_exists "/run/containerd/runc/hop/$T-${runtime##*/}/cgroups"
		fi
		ctr tasks kill -s KILL "$T-${runtime##*/}"
		wait_until "! ctr tasks ls | grep -q '^$T-${runtime##*/} .*RUNNING'" 10
		ctr tasks delete "$T-${runtime##*/}" >/dev/null
		ctr containers delete "$T-${runtime##*/}"
	done
	# mini-runc's own record was made and removed under the shim's root.
	run ! grep -q "$T" /proc/self/mountinfo
}

@test "containerd's config.toml: the runtimes runc and hop (mini-runc) that a RuntimeClass names" {
	start_containerd
	run -0 containerd --config "$HOP_TOP/build/engines/containerd/config.toml" config dump
	assert_output --partial '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.hop]'
	assert_output --partial 'runtime_type = "io.containerd.runc.v2"'
	assert_output --partial "BinaryName = \"$MINI\""
	# The CRI plugin that reads that table loaded from it.
	run -0 ctr plugins ls
	assert_line --regexp '^io\.containerd\.grpc\.v1 +cri +.* ok *$'
}
