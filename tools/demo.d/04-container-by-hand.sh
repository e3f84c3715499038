# shellcheck shell=bash
# Day 04 of the demo: one program does days 01-03 at once, with limits, a
# network and its own clean-up (sourced by tools/demo). The network's host
# side lives in a throwaway network namespace (unshare --net), never on the
# machine's own network.

day 04 "A container by hand"

ctr_root=$(mktemp -d /tmp/hop-demo.XXXXXX)
on_exit "rm -rf '$ctr_root'; mini-container gc >/dev/null 2>&1 || true"
chmod 755 "$ctr_root"
cp -a build/rootfs/busybox "$ctr_root/root"

step "The sources' one-liner, as one program" \
	"A cgroup with limits, all namespaces, a hostname, pivot_root, /proc: -v tells each step."
run mini-container -v --rootfs "$ctr_root/root" --hostname demo --memory 50M --cpus 0.5 --pids 64 \
	-- /bin/sh -c "'hostname; echo PID \$\$; ps'"
note "each limit as written (v1 file names on a hybrid host); inside: hostname demo, PID 1, and ps sees nothing of the host"
pause

step "The limits hold inside" \
	"200 MiB in a 50 MiB container: the OOM killer ends it, and mini-container passes 137 on."
run -s 137 mini-container --rootfs "$ctr_root/root" --memory 50M -- /bin/probe alloc 200
note "no output: the probe was killed before it could print, and 137 (128 + SIGKILL) is what the demo expected"
pause

step "A network: veth pair and bridge" \
	"eth0 inside, its twin on bridge hop0 outside; the host side is a throwaway network namespace here."
run "unshare --net sh -c 'mini-container --rootfs $ctr_root/root --ip 10.88.0.2/24 -- /bin/sh -c \"cat /sys/class/net/eth0/operstate; ping -c1 -W2 10.88.0.1\"; ip -brief link'"
note "eth0 up, 1 packet received from 10.88.0.1 (hop0, the bridge); hop0 stays in the throwaway namespace and goes with it"
pause

step "Nothing is left behind" \
	"The cgroup, the mounts, the namespaces and the state in /run/hop are gone with the container."
run "find /sys/fs/cgroup -maxdepth 8 -name 'hop-c*' | wc -l"
run "ls /run/hop/containers 2>/dev/null | wc -l"
note "0 and 0: no cgroup hop-c*, no state directory"
