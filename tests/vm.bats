#!/usr/bin/env bats
# The throwaway VM (tools/vm) and the skip ledger of the two test lanes.
#
# On the host, the first tests boot the VM (about 10 s each under software
# emulation) and check what comes back. Inside the VM (make test-vm sets
# HOP_IN_VM=1 there), other tests check what the labs need from the guest.
# The ledger test, last, proves that every test which requires cgroup_v1 or
# cgroup_v2 ran in one of the lanes: the host lane's TAP (build/host.tap,
# saved by .ci/run) against the VM lane's (as it goes, HOP_VM_TAP, or
# build/vm.tap, saved by tools/vm test).
bats_require_minimum_version 1.5.0
load helpers

vm() {
	"$HOP_TOP/tools/vm" "$@"
}

on_host() {
	[ "${HOP_IN_VM:-}" != 1 ] || skip "boots a VM: runs on the host, not inside the VM"
	requires root cmd:qemu-system-x86_64
}

in_vm() {
	[ "${HOP_IN_VM:-}" = 1 ] || skip "checks the inside of the VM: runs in make test-vm"
}

# The qemu processes of this checkout's VMs (their command line names our
# build/vm directory), one per line.
our_qemus() {
	local pid cmdline
	for pid in /proc/[0-9]*; do
		cmdline=$(tr '\0' ' ' <"$pid/cmdline" 2>/dev/null) || continue
		case $cmdline in
		qemu-system-x86_64*"$HOP_TOP/build/vm/"*) echo "${pid#/proc/} $cmdline" ;;
		esac
	done
}

@test "vm: boots Debian's kernel with cgroup v2 only, and returns the command's output" {
	on_host
	run -0 --separate-stderr vm run sh -c 'stat -fc %T /sys/fs/cgroup; uname -r; cat /proc/cmdline; awk '\''$3 == "cgroup"'\'' /proc/mounts | wc -l'
	assert_equal "${lines[0]}" cgroup2fs
	assert_equal "${lines[1]}" "$(cat "$HOP_TOP/build/vm/kernel/.done")"
	[[ ${lines[2]} == *cgroup_no_v1=all* ]]
	# No cgroup v1 hierarchy is mounted.
	assert_equal "${lines[3]}" 0
	assert_equal "$(our_qemus)" ""
}

@test "vm: the command's exit status, stdout and stderr come back apart" {
	on_host
	run -3 --separate-stderr vm run sh -c 'echo to-stdout; echo to-stderr >&2; exit 3'
	assert_output to-stdout
	[[ $stderr == *to-stderr* ]]
	[[ $stderr != *to-stdout* ]]
	assert_equal "$(our_qemus)" ""
}

@test "vm: a VM that does not finish in time is killed, and says so" {
	on_host
	HOP_VM_TIMEOUT=12 run -124 --separate-stderr vm run sleep 600
	[[ $stderr == *"did not finish within 12s"* ]]
	assert_equal "$(our_qemus)" ""
	run -0 sh -c "ls -d '$HOP_TOP'/build/vm/run.* 2>/dev/null || true"
	assert_output ""
}

@test "vm: SIGTERM to tools/vm stops the VM and leaves nothing running" {
	on_host
	"$HOP_TOP/tools/vm" run sleep 600 3>&- &
	local pid=$! status=0
	wait_until '[ -n "$(our_qemus)" ]' 60
	kill -TERM "$pid"
	wait "$pid" || status=$?
	assert_equal "$status" 143
	assert_equal "$(our_qemus)" ""
}

@test "vm: bad usage is refused with the usage line" {
	run -2 --separate-stderr "$HOP_TOP/tools/vm" frobnicate
	[[ $stderr == "usage: tools/vm "* ]]
	HOP_VM_ACCEL=warp run -1 --separate-stderr "$HOP_TOP/tools/vm" run true
	assert_equal "$stderr" "tools/vm: HOP_VM_ACCEL must be tcg, kvm or auto, not 'warp'"
	HOP_VM_TIMEOUT=soon run -1 --separate-stderr "$HOP_TOP/tools/vm" run true
	assert_equal "$stderr" "tools/vm: HOP_VM_TIMEOUT must be a number of seconds, not 'soon'"
}

@test "inside the VM: cgroup v2 only, with the controllers the labs limit" {
	in_vm
	run -0 stat -fc %T /sys/fs/cgroup
	assert_output cgroup2fs
	run -0 awk '$3 == "cgroup" { n++ } END { print n + 0 }' /proc/self/mounts
	assert_output 0
	run -0 cat /sys/fs/cgroup/cgroup.controllers
	assert_output --regexp '(^| )memory( |$)'
	assert_output --regexp '(^| )pids( |$)'
	assert_output --regexp '(^| )cpu( |$)'
}

@test "inside the VM: modules load on demand (veth, bridge, overlay)" {
	in_vm
	requires cmd:ip
	assert_dir_exists "/lib/modules/$(uname -r)/kernel"
	run -0 unshare -n sh -c 'ip link add hopvm0 type veth peer name hopvm1 &&
		ip link add hopvmbr0 type bridge && ip -o link show type veth | wc -l'
	assert_output 2
	grep -qw overlay /proc/filesystems
}

@test "inside the VM: /dev/fd, ptys, a tmpfs /tmp, and the project directory is writable" {
	in_vm
	assert_equal "$(readlink /dev/fd)" /proc/self/fd
	assert_equal "$(stat -fc %T /tmp)" tmpfs
	[ -c /dev/pts/ptmx ]
	assert_equal "$(hostname)" hop-vm
	local scratch
	scratch=$(mktemp "$HOP_TOP/build/vm/write-test.XXXXXX")
	echo hello >"$scratch"
	assert_equal "$(cat "$scratch")" hello
	rm -f "$scratch"
}

@test "inside the VM: tools/doctor reports pure cgroup v2" {
	in_vm
	[ -x "$HOP_TOP/tools/doctor" ] || skip "no tools/doctor in this checkout"
	run "$HOP_TOP/tools/doctor"
	assert_line --regexp '^cgroup mode +ok +v2'
}

# The names of the tests a TAP file reports as STATUS: ran (ok or not ok,
# not skipped) or skipped (with the reason after a tab).
tap_tests() {
	awk -v want="$1" '
	/^(not )?ok [0-9]+ / {
		line = $0
		sub(/^(not )?ok [0-9]+ /, "", line)
		skipped = match(line, / # skip( |$)/)
		if (skipped) {
			reason = substr(line, RSTART + RLENGTH)
			line = substr(line, 1, RSTART - 1)
			if (want == "skipped") print line "\t" reason
		} else if (want == "ran") {
			print line
		}
	}' "$2"
}

# Tests skipped for the cgroup mode in TAP file $1 that did not run in $2.
never_ran() {
	local name reason
	while IFS=$'\t' read -r name reason; do
		case $reason in
		*"cgroup v1"* | *"cgroup v2"*) ;;
		*) continue ;;
		esac
		tap_tests ran "$2" | grep -qxF -- "$name" || echo "$name ($reason)"
	done < <(tap_tests skipped "$1")
}

# The ledger of two TAP files: the cgroup-mode tests that ran in neither.
ledger() {
	{
		never_ran "$1" "$2"
		never_ran "$2" "$1"
	} | sort -u
}

@test "ledger: a test skipped for its cgroup mode in one lane and not run in the other is reported" {
	cat >"$BATS_TEST_TMPDIR/host.tap" <<-'EOF'
		1..4
		ok 1 a: runs everywhere
		ok 2 b: v2 only # skip needs pure cgroup v2 (runs in make test-vm)
		ok 3 c: v1 only
		ok 4 d: v2 only, and a command # skip needs pure cgroup v2 (runs in make test-vm)
		ok 5 e: v1 only, not in the VM lane # skip needs cgroup v1 controllers (runs on a hybrid host)
	EOF
	cat >"$BATS_TEST_TMPDIR/vm.tap" <<-'EOF'
		1..4
		ok 1 a: runs everywhere
		not ok 2 b: v2 only
		ok 3 c: v1 only # skip needs cgroup v1 controllers (runs on a hybrid host)
		ok 4 d: v2 only, and a command # skip needs the command cgcreate
	EOF
	run -0 ledger "$BATS_TEST_TMPDIR/host.tap" "$BATS_TEST_TMPDIR/vm.tap"
	assert_equal "${#lines[@]}" 2
	assert_line "d: v2 only, and a command (needs pure cgroup v2 (runs in make test-vm))"
	assert_line "e: v1 only, not in the VM lane (needs cgroup v1 controllers (runs on a hybrid host))"
}

@test "ledger: every test that needs cgroup v1 or v2 ran in one of the two lanes" {
	local host=$HOP_TOP/build/host.tap vm_tap=${HOP_VM_TAP:-$HOP_TOP/build/vm.tap}
	[ -s "$host" ] || skip "no host lane TAP (build/host.tap, saved by .ci/run after make test)"
	[ -s "$vm_tap" ] || skip "no VM lane TAP (build/vm.tap, saved by make test-vm)"
	run -0 ledger "$host" "$vm_tap"
	if [ -n "$output" ]; then
		echo "skipped in one lane and not run in the other:"
		echo "$output"
		return 1
	fi
}
