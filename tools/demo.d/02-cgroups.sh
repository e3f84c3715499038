# shellcheck shell=bash
# Day 02 of the demo: a cgroup is a directory; limits are files; the kernel
# enforces them (sourced by tools/demo). Every group lives beneath our base
# (our own cgroup, or /sys/fs/cgroup/hop from a systemd login session) as
# hop-demo/..., and on_exit removes it however the demo ends.

day 02 "Cgroups: what a process may use"

on_exit "mini-cgroup delete -r -g memory,cpu,pids:hop-demo 2>/dev/null || true"

step "Which cgroup version does this machine run?" \
	"v2 has one tree at /sys/fs/cgroup (cgroup2fs); v1 has one tree per controller (tmpfs with cgroup mounts)."
run "stat -fc %T /sys/fs/cgroup"
run mini-cgroup mode
run "cat /proc/self/cgroup"
note "tmpfs means v1 or hybrid, cgroup2fs pure v2; in /proc/self/cgroup each N:controllers:path line is a v1 hierarchy, 0::path the v2 one"
pause

step "Where may we make groups?" \
	"Beneath our own cgroup, except on v2 when it is a systemd login session: that scope holds processes, so v2 lets it give no controller to children, and our groups go to /sys/fs/cgroup/hop."
run mini-cgroup -v where
pause

step "A cgroup is a directory" \
	"-x shows what mini-cgroup does: mkdir beneath that base, in each hierarchy asked for."
run -m mini-cgroup -x create -g memory,cpu,pids:hop-demo/box
run mini-cgroup list
note "one mkdir per directory, in each of the three hierarchies; list reads them back from /sys/fs/cgroup"
pause

step "A limit is a file" \
	"memory.max on v2, memory.limit_in_bytes on v1: mini-cgroup writes whichever this kernel has, and says so."
run -m mini-cgroup -x set -r memory.max=50M -g memory:hop-demo/box
run -m "mini-cgroup set -r memory.swap.max=0 -g memory:hop-demo/box 2>/dev/null || true"
run mini-cgroup get -r memory.max -g memory:hop-demo/box
note "the file written is named in write(...); the kernel reads 50M back as bytes: 52428800"
pause

step "Over the limit: the OOM killer" \
	"The probe asks for 200 MiB in a 50 MiB group: the kernel kills it (SIGKILL, exit 137) and counts it."
run -s 137 mini-cgroup exec -g memory:hop-demo/box -- probe alloc 200
note "\"Killed\": the OOM killer's SIGKILL (exit status 137 = 128 + 9); the kernel counts it: oom_kill in memory.events on v2, in memory.oom_control on v1"
run "mini-cgroup get -r memory.events -g memory:hop-demo/box 2>/dev/null || mini-cgroup get -r memory.oom_control -g memory:hop-demo/box"
run mini-cgroup exec -g memory:hop-demo/box -- probe alloc 20
note "20 MiB fits under the limit: allocated, exit 0"
pause

step "A CPU quota: 20% of one CPU" \
	"cpu.max \"20000 100000\": 20 ms of CPU every 100 ms. The probe burns for 2 s and gets about 0.4 s."
run "mini-cgroup set -r 'cpu.max=20000 100000' -g cpu:hop-demo/box"
run mini-cgroup exec -g cpu:hop-demo/box -- probe burn 2
note "cpu about 0.4 s for 2 s of wall time: the quota, not the machine, set the pace"
pause

step "pids.max: no fork bombs" \
	"At most 5 tasks in the group: the probe itself and 4 children; the next fork fails with EAGAIN."
run mini-cgroup set -r pids.max=5 -g pids:hop-demo/box
run -s 1 mini-cgroup exec -g pids:hop-demo/box -- probe fork 10
note "forked 4, then EAGAIN: the probe and its 4 children are the 5 tasks pids.max allows"
pause

step "Remove the groups" \
	"rmdir works once no process is left in a group; -r removes the children first."
run mini-cgroup -x delete -r -g memory,cpu,pids:hop-demo
note "children first (box, then hop-demo), in each hierarchy: rmdir of a group that still has children fails with EBUSY"
