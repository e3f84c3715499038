# shellcheck shell=bash
# Day 01 of the demo: mini-unshare beside util-linux unshare, one namespace
# kind at a time (sourced by tools/demo). Everything made here lives in
# namespaces that vanish with their last process; only the copy of the
# programs for uid 65534 is a file, and on_exit removes it.

day 01 "Namespaces: what a process can see"

step "PID namespace: the command is PID 1" \
	"A new PID namespace numbers from 1; ps reads /proc, so it needs a /proc of its own (--mount-proc)."
run mini-unshare --fork --pid --mount-proc ps
run unshare --fork --pid --mount-proc ps
note "inside, ps is PID 1 and sees only itself; the same on the host counts every process:"
run "ps -e --no-headers | wc -l"
pause

step "UTS namespace: a hostname of its own" \
	"Inside a new UTS namespace the hostname can change; the host keeps its own."
run "mini-unshare --uts sh -c 'hostname hop-demo && hostname'"
run "unshare --uts sh -c 'hostname util-linux-demo && hostname'"
note "and outside, unchanged:"
run hostname
pause

step "A namespace is a file: one inode per namespace" \
	"/proc/PID/ns/* names the namespaces of a process: here the shell's parent (outside) and the shell (inside)."
run "mini-unshare --uts sh -c 'readlink /proc/\$PPID/ns/uts /proc/self/ns/uts'"
run "unshare --uts sh -c 'readlink /proc/\$PPID/ns/uts /proc/self/ns/uts'"
note "two inodes each time: the host's uts:[...] first, then the new one (the second run may get the number the first freed)"
pause

step "NET namespace: only lo, and it is down" \
	"A new network namespace starts with a loopback device and nothing else."
run ip -brief link
run mini-unshare --net ip -brief link
run unshare --net ip -brief link
note "the host has eth0 and more; the new namespaces have only lo, DOWN"
pause

step "USER namespace: nobody outside, root inside" \
	"-r maps uid 0 in a new user namespace to the caller's uid: root inside, uid 65534 outside."
if have_userns; then
	# uid 65534 may not be able to enter the directory build/bin is in
	# (a clone under /root): give it a copy it can run, removed on exit.
	nobody_bin=$(mktemp -d /tmp/hop-demo.XXXXXX)
	on_exit "rm -rf '$nobody_bin'"
	chmod 755 "$nobody_bin"
	cp build/bin/mini-unshare "$nobody_bin/"
	PATH=$nobody_bin:$PATH run "setpriv --reuid=65534 --regid=65534 --clear-groups id"
	PATH=$nobody_bin:$PATH run "setpriv --reuid=65534 --regid=65534 --clear-groups mini-unshare -r sh -c 'id; cat /proc/self/uid_map'"
	PATH=$nobody_bin:$PATH run "setpriv --reuid=65534 --regid=65534 --clear-groups unshare -r sh -c 'id; cat /proc/self/uid_map'"
	note "uid_map \"0 65534 1\": uid 0 inside is uid 65534 outside, a range of one id"
else
	skip_step "unprivileged user namespaces are disabled (see tools/doctor)"
fi
pause

step "IPC namespace: message queues do not cross" \
	"A queue made in a new IPC namespace is seen there, and not on the host."
run "mini-unshare --ipc sh -c 'ipcmk --queue && ipcs --queues'"
run "unshare --ipc sh -c 'ipcmk --queue && ipcs --queues'"
note "the host's queues (ours are not among them):"
run ipcs --queues
pause

step "TIME namespace: a machine up for one more day" \
	"--boottime shifts CLOCK_BOOTTIME, the clock /proc/uptime reads, for the new time namespace."
if have_timens; then
	run uptime --pretty
	run mini-unshare --time --boottime 86400 uptime --pretty
	run unshare --time --boottime 86400 uptime --pretty
	note "one day more inside, in both; the host's uptime (first) is unchanged"
else
	skip_step "this kernel has no time namespaces (Linux 5.6 or later)"
fi
pause

step "What the kernel did: -x" \
	"-x prints each system call mini-unshare makes, and its result, like strace."
run mini-unshare -x --fork --pid --mount-proc true
note "unshare(CLONE_NEWNS|CLONE_NEWPID), then MS_REC|MS_PRIVATE on / before /proc is mounted: no mount reaches the host"
pause
