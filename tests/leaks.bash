# tests/leaks.bash - what the suite may leave behind on the machine, found
# by what we make rather than by the name of a program. Loaded by
# tests/leaks.bats: its checks call these functions, and so do its
# self-tests, which leak each thing on purpose and must see it reported.
#
# Each leaks_* prints one line for each thing left ("WHAT: why it is ours")
# and nothing when there is none. Each stands on its own: a process is
# reported even when the cgroup it sits in is not, and the other way round.
#
# Where the state goes: the runtime's default root (/run/hop/containers,
# labs/04-container-by-hand/state.c), $HOP_STATE_DIR when set, and the
# HOP_STATE_DIR that the tests of this bats run point into their
# $BATS_TEST_TMPDIR, which bats keeps until the whole run ends.

# Is this path one of ours: our build, a test's copy of it, a bats tmpdir?
leaks_our_path() {
	case $1 in
	"$HOP_TOP"/build/* | /tmp/hop-test.*) return 0 ;;
	esac
	[ -n "${BATS_RUN_TMPDIR:-}" ] && [[ $1 == "$BATS_RUN_TMPDIR"/* ]]
}

# cgroups named hop* (our groups are hop-*; the base at the top of a v2
# tree is /sys/fs/cgroup/hop), in every hierarchy.
leaks_cgroups() {
	find /sys/fs/cgroup -maxdepth 8 -type d -name 'hop*' 2>/dev/null |
		sed 's/$/: a cgroup of ours/'
}

# Mounts the host sees at a path of ours, or whose source is named hop-*.
leaks_mounts() {
	awk -v build="$HOP_TOP/build" -v run="${BATS_RUN_TMPDIR:-/nonexistent}" '
		{
			for (i = 7; $i != "-"; i++)
				;
			point = $5
			source = $(i + 2)
		}
		point == build || index(point, build "/") == 1 ||
		point == "/run/hop" || index(point, "/run/hop/") == 1 ||
		index(point, "/tmp/hop-test.") == 1 || index(point, run "/") == 1 ||
		source ~ /^hop-/ { print point ": " source " mounted there" }' \
		/proc/self/mountinfo
}

# Named network namespaces (ip netns) called hop*.
leaks_netns() {
	command -v ip >/dev/null || return 0
	ip netns list 2>/dev/null | awk '$1 ~ /^hop/ { print $1 ": a network namespace of ours" }'
}

# Network links called hop* (our bridge hop0, our veths hop-PID).
leaks_links() {
	command -v ip >/dev/null || return 0
	ip -o link show 2>/dev/null | awk -F': ' '$2 ~ /^hop/ {
		sub(/@.*/, "", $2); print $2 ": a link of ours" }'
}

# The files named NAME in every state directory there is (see the top).
leaks_state_files() {
	local root
	for root in /run/hop/containers /run/hop/runc ${HOP_STATE_DIR:+"$HOP_STATE_DIR"}; do
		[ -d "$root" ] || continue
		find "$root" -mindepth 2 -maxdepth 2 -name "$1" 2>/dev/null
	done
	[ -z "${BATS_RUN_TMPDIR:-}" ] ||
		find "$BATS_RUN_TMPDIR" -mindepth 3 -maxdepth 7 -name "$1" \
			-path '*/state/*' 2>/dev/null
}

# State directories: in the runtime's root, anything; elsewhere, a
# directory holding an owner file (what state_create writes first).
leaks_state() {
	local root owner
	for root in /run/hop/containers /run/hop/runc ${HOP_STATE_DIR:+"$HOP_STATE_DIR"}; do
		[ -d "$root" ] || continue
		find "$root" -mindepth 1 -maxdepth 1 -printf '%p: container state\n'
	done
	[ -z "${BATS_RUN_TMPDIR:-}" ] && return 0
	find "$BATS_RUN_TMPDIR" -mindepth 3 -maxdepth 7 -name owner \
		-path '*/state/*' -printf '%h: container state\n' 2>/dev/null
}

# Processes running one of our programs (build/bin, build/san/bin, or a
# test's copy of them in /tmp/hop-test.*).
leaks_processes_ours() {
	local dir exe
	for dir in /proc/[0-9]*; do
		exe=$(readlink "$dir/exe" 2>/dev/null) || continue
		case $exe in
		"$HOP_TOP"/build/* | /tmp/hop-test.*)
			echo "${dir#/proc/}: runs $exe"
			;;
		esac
	done
}

# Processes of the engines we start (tools/engines): conmon, containerd and
# its shims run programs of the system, but with our build/engines on their
# command line (their config, socket, bundle or storage).
leaks_engine_processes() {
	local dir args
	for dir in /proc/[0-9]*; do
		args=$(tr '\0' ' ' 2>/dev/null <"$dir/cmdline") || continue
		case $args in
		*"$HOP_TOP/build/engines/"*)
			echo "${dir#/proc/}: ${args%% *} works for build/engines"
			;;
		*"docker-registry serve "* | *token-server.py*)
			# tools/registry's: their config or key is in a dir of ours
			local word
			for word in $args; do
				if leaks_our_path "$word"; then
					echo "${dir#/proc/}: a registry of ours ($word)"
					break
				fi
			done
			;;
		esac
	done
}

# Processes in a cgroup of ours: after pivot_root the host cannot tell a
# container's programs by their path, but by where we put them.
leaks_processes_in_our_cgroups() {
	local group pid
	while read -r group _; do
		group=${group%:}
		[ -r "$group/cgroup.procs" ] || continue
		while read -r pid; do
			echo "$pid: in the cgroup $group"
		done <"$group/cgroup.procs"
	done < <(leaks_cgroups)
}

# Processes in a PID namespace below ours whose init one of our programs
# started, or whose init lost its parent (reparented to PID 1: a container
# that nobody waits for any more, as mini-pivot-root left them before it
# passed SIGTERM on).
leaks_processes_in_pid_namespaces() {
	local dir key value ppid nspid ns why parent
	local -A members=() init_of=()
	for dir in /proc/[0-9]*; do
		ppid='' nspid=''
		while IFS=$'\t' read -r key value; do
			case $key in
			PPid:) ppid=$value ;;
			NSpid:) nspid=$value ;;
			esac
		done 2>/dev/null <"$dir/status"
		# NSpid has one number a PID namespace, ours first.
		[[ $nspid == *$'\t'* ]] || continue
		ns=$(readlink "$dir/ns/pid" 2>/dev/null) || continue
		members[$ns]+=" ${dir#/proc/}"
		[ "${nspid##*$'\t'}" != 1 ] || init_of[$ns]="${dir#/proc/} $ppid"
	done
	for ns in "${!members[@]}"; do
		[ -n "${init_of[$ns]:-}" ] || continue
		read -r init ppid <<<"${init_of[$ns]}"
		parent=$(readlink "/proc/$ppid/exe" 2>/dev/null) || parent=
		if [ "$ppid" = 1 ]; then
			why="its init $init lost its parent"
		elif leaks_our_path "$parent"; then
			why="its init $init was started by $parent"
		else
			continue
		fi
		for pid in ${members[$ns]}; do
			echo "$pid: in the PID namespace $ns; $why"
		done
	done
}

# Processes whose pid a container's state names as its owner.
leaks_processes_in_state() {
	local file pid
	while read -r file; do
		read -r pid <"$file" 2>/dev/null || continue
		[[ $pid =~ ^[0-9]+$ ]] && [ -d "/proc/$pid" ] || continue
		echo "$pid: the owner in ${file%/owner}"
	done < <(leaks_state_files owner)
}
