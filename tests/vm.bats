#!/usr/bin/env bats
# The throwaway VM (tools/vm) and the skip ledger of the two test lanes.
#
# On the host, the first tests boot the VM (about 10 s each under software
# emulation) and check what comes back. Inside the VM (make test-vm sets
# HOP_IN_VM=1 there), other tests check what the labs need from the guest.
# The ledger test, last, proves tools/ledger can fail: .ci/run calls it once
# all three lanes have run, so that every test skipped for its cgroup layout
# in one lane ran in another.
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

@test "vm: a job's writes to the project stay in the VM: no file, no symlink reaches the host" {
	on_host
	local name=guest-write-$$
	run -5 --separate-stderr vm run sh -c "echo planted >build/$name && ln -s /etc/passwd build/$name.link && cat build/$name; exit 5"
	assert_output planted # writable inside, under an overlay...
	assert_not_exists "$HOP_TOP/build/$name" # ...and nothing of it outside
	run -0 test ! -L "$HOP_TOP/build/$name.link"
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

@test "ledger: a test skipped for its cgroup layout in one lane and run in no other is reported" {
	cat >"$BATS_TEST_TMPDIR/host.tap" <<-'EOF'
		1..6
		ok 1 a: runs everywhere
		ok 2 b: v2 only # skip needs pure cgroup v2 (runs in make test-vm)
		ok 3 c: v1 only
		ok 4 d: v2 only, and a command # skip needs pure cgroup v2 (runs in make test-vm)
		ok 5 e: v1 only, not in the VM lane # skip needs cgroup v1 controllers (runs on a hybrid host)
		ok 6 f: a login session # skip needs a systemd login session (runs in make test-systemd)
	EOF
	cat >"$BATS_TEST_TMPDIR/vm.tap" <<-'EOF'
		1..5
		ok 1 a: runs everywhere
		not ok 2 b: v2 only
		ok 3 c: v1 only # skip needs cgroup v1 controllers (runs on a hybrid host)
		ok 4 d: v2 only, and a command # skip needs the command cgcreate
		ok 5 f: a login session # skip needs a systemd login session (runs in make test-systemd)
	EOF
	cat >"$BATS_TEST_TMPDIR/systemd.tap" <<-'EOF'
		1..3
		ok 1 a: runs everywhere
		ok 2 f: a login session
		ok 3 g: at the root # skip our own cgroup is not the root: the systemd lane tests the real session
	EOF
	run -1 "$HOP_TOP/tools/ledger" "$BATS_TEST_TMPDIR/host.tap" "$BATS_TEST_TMPDIR/vm.tap" \
		"$BATS_TEST_TMPDIR/systemd.tap"
	assert_equal "${#lines[@]}" 3
	assert_line "d: v2 only, and a command (needs pure cgroup v2 (runs in make test-vm))"
	assert_line "e: v1 only, not in the VM lane (needs cgroup v1 controllers (runs on a hybrid host))"
	assert_line "g: at the root (our own cgroup is not the root: the systemd lane tests the real session)"
	# Without the systemd lane, f ran nowhere either.
	run -1 "$HOP_TOP/tools/ledger" "$BATS_TEST_TMPDIR/host.tap" "$BATS_TEST_TMPDIR/vm.tap"
	assert_line "f: a login session (needs a systemd login session (runs in make test-systemd))"
	# Nothing missing: exit 0, nothing printed.
	printf '1..1\nok 1 g: at the root\n' >"$BATS_TEST_TMPDIR/root.tap"
	run -0 "$HOP_TOP/tools/ledger" "$BATS_TEST_TMPDIR/systemd.tap" "$BATS_TEST_TMPDIR/root.tap"
	assert_output ""
}
