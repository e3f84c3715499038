# shellcheck shell=bash
# Day 05 of the demo: an OCI bundle run by mini-runc, next to runc when it
# is installed: the bundle, the lifecycle and its FIFO, what confines the
# container, the console socket, and where runc's time goes (sourced by
# tools/demo). The containers are called demo05; on_exit deletes them.

day 05 "A runtime for OCI bundles"

rt_dir=$(mktemp -d /tmp/hop-demo.XXXXXX)
b=$rt_dir/bundle
on_exit "mini-runc delete --force demo05 >/dev/null 2>&1; runc delete --force demo05 >/dev/null 2>&1; rm -rf '$rt_dir'"
mkdir -p "$b" "$rt_dir/runc-spec"
cp -a build/rootfs/busybox "$b/rootfs"
have_runc=0
command -v runc >/dev/null && have_runc=1

# jq FILTER on the bundle's config.json, shown as it would be typed; a
# later step may need the change (-m: also run when --from skips its step).
set_config() {
	run -m "jq '$1' $b/config.json >$b/config.new && mv $b/config.new $b/config.json"
}

step "A bundle: config.json and a root filesystem" \
	"A runtime takes a directory, not an image: mini-runc spec writes the config.json runc spec writes."
run -m "cd $b && mini-runc spec && ls"
if [ "$have_runc" -eq 1 ]; then
	run "cd $rt_dir/runc-spec && runc spec"
	run "diff <(jq -S . $b/config.json) <(jq -S . $rt_dir/runc-spec/config.json) && echo 'the same document'"
fi
run "jq -c '.process.args, .root, [.linux.namespaces[].type], .process.capabilities.bounding' $b/config.json"
note "runs sh, on a read-only rootfs, in five new namespaces (no user, no cgroup), with three capabilities"
pause

step "One bundle, two runtimes" \
	"No terminal here, and a command that says where it runs; then the same bundle under both."
# shellcheck disable=SC2016 # expanded in the container, by its shell
set_config '.process.terminal = false | .process.args = ["/bin/sh", "-c", "echo Hello from $(hostname), PID $$"]'
run mini-runc run --bundle "$b" demo05
if [ "$have_runc" -eq 1 ]; then
	run runc run --bundle "$b" demo05
	note "the same line from both: the hostname config.json sets (runc spec's \"runc\"), and PID 1 of a new PID namespace"
else
	skip_step "runc is not installed (make setup installs it)"
fi
pause

step "create: the init waits on exec.fifo" \
	"Everything is set up, but the program has not started: the init is blocked opening a FIFO."
set_config '.process.args = ["/bin/probe", "sleep", "inf"]'
run -m "mini-runc create --bundle $b --pid-file $rt_dir/pid demo05 >/dev/null 2>&1"
run "mini-runc state demo05"
run "pid=\$(cat $rt_dir/pid); cat /proc/\$pid/comm /proc/\$pid/wchan; echo"
run "ls -l /run/hop/runc/demo05/exec.fifo"
note "status created; the init is still mini-runc, asleep in the kernel (wchan wait_for_partner: opening a FIFO no one reads)"
pause

step "start: open the FIFO for reading" \
	"The init's open returns, it writes a byte and execs the program; no FIFO now means running."
run -m "mini-runc -x start demo05 2>&1 | grep exec.fifo"
note "O_NONBLOCK: start does not wait for the init; then the FIFO is unlinked"
run -m "timeout 5 sh -c 'until grep -qx probe /proc/\$0/comm; do sleep 0.1; done' \$(cat $rt_dir/pid) && cat /proc/\$(cat $rt_dir/pid)/comm"
run "mini-runc state demo05 | jq -r .status"
pause

step "Inside a running container" \
	"exec joins its namespaces and cgroup; events reads the cgroup's counters; pause freezes it."
run mini-runc exec demo05 /bin/ps -o pid,comm
run mini-runc events --stats demo05
run "mini-runc pause demo05 && mini-runc state demo05 | jq -r .status"
run "mini-runc resume demo05 && mini-runc state demo05 | jq -r .status"
note "ps sees the probe as PID 1 and itself; the counters are CPU ns, memory bytes, pids; paused and running again (the freezer)"
pause

step "What confines it" \
	"Three capabilities instead of 41, no_new_privs, /proc/keys masked, /proc/sys read-only."
run "grep -E '^(Cap(Prm|Eff|Bnd)|NoNewPrivs):' /proc/\$(cat $rt_dir/pid)/status"
run "mini-runc exec demo05 /bin/sh -c 'stat -c \"%n: %F %t,%T\" /proc/keys'"
run -s 1 "mini-runc exec demo05 /bin/sh -c 'echo x >/proc/sys/kernel/core_pattern'"
note "20000420: bits 5, 10, 29 (KILL, NET_BIND_SERVICE, AUDIT_WRITE) in every set; /proc/keys is /dev/null (1,3); core_pattern: Read-only file system"
pause

step "kill and delete" \
	"kill signals the init; delete removes the cgroup and the state once it has stopped."
run -m mini-runc kill demo05 TERM
run -m "timeout 5 sh -c 'until [ \"\$(mini-runc state demo05 | jq -r .status)\" = stopped ]; do sleep 0.1; done' && echo stopped"
run -m mini-runc delete demo05
run "ls /run/hop/runc | wc -l"
note "0: no state directory left"
pause

step "The console socket" \
	"A pty made inside; its master goes to the caller over a Unix socket (SCM_RIGHTS), as for conmon or the shim."
set_config '.process.terminal = true | .process.args = ["/bin/sh", "-c", "tty; ls -l /dev/console"]'
run "tests/console-socket.py $rt_dir/tty.sock >$rt_dir/tty.out & timeout 5 sh -c 'until [ -S \$0 ]; do sleep 0.1; done' $rt_dir/tty.sock && mini-runc run --detach --bundle $b --console-socket $rt_dir/tty.sock demo05 && wait \$! && cat $rt_dir/tty.out"
run mini-runc delete demo05
note "/dev/pts/0 is the container's terminal, and /dev/console the same pty: its master went to the listener"
pause

step "Where runc spends its time" \
	"runc's init is runc again ('runc init', Go threads); ours is the one process that cloned."
if [ "$have_runc" -eq 1 ]; then
	set_config '.process.terminal = false | .process.args = ["/bin/true"]'
	run "mini-runc create --bundle $b demo05 >/dev/null 2>&1; runc create --bundle $b demo05 >/dev/null 2>&1"
	run "for p in \$(mini-runc state demo05 | jq .pid) \$(runc state demo05 | jq .pid); do echo \"\$(tr '\\0' ' ' </proc/\$p/cmdline)| \$(grep Threads /proc/\$p/status)\"; done"
	run "mini-runc delete --force demo05; runc delete --force demo05"
	note "Threads: 1 in ours, several in runc init (Go); make bench times runc run, mini-runc run and unshare + chroot on this bundle"
else
	skip_step "runc is not installed (make setup installs it)"
fi
pause

step "Nothing is left behind" \
	"No state directory, no cgroup hop-demo05: delete removed them."
run "ls /run/hop/runc | wc -l"
run "find /sys/fs/cgroup -maxdepth 8 -name 'hop-demo05' | wc -l"
note "0 and 0"
