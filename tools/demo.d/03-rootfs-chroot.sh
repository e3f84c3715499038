# shellcheck shell=bash
# Day 03 of the demo: chroot changes only where "/" is, and a root process
# walks out of it; pivot_root in a mount namespace leaves no way out
# (sourced by tools/demo). The root used is a copy in /tmp, removed on exit.

day 03 "Root filesystems: chroot and pivot_root"

demo_root=$(mktemp -d /tmp/hop-demo.XXXXXX)
on_exit "rm -rf '$demo_root'"
cp -a build/rootfs/busybox "$demo_root/root"
cp build/bin/chroot-escape "$demo_root/root/bin/"
echo "a file only the host has" >"$demo_root/host-secret"

step "A root filesystem is a directory" \
	"busybox and the probe, both static: nothing else is needed to run inside."
run "ls $demo_root/root $demo_root/root/bin | head -20"
note "the directories a program expects at /, and in bin/ busybox with a link for each command"
pause

step "chroot: only the meaning of / changes" \
	"The processes, the mounts and the network are still the host's, and /proc is empty until mounted."
run mini-chroot "$demo_root/root" /bin/sh -c "'cat /etc/hostname; ls /proc | wc -l; probe pid'"
note "the root's own /etc/hostname (hop), 0 entries in /proc, and a PID from the host's numbering, not 1"
pause

step "chroot is not a jail for root" \
	"chroot-escape: mkdir, chroot into it, chdir .. until the real /, chroot . — and read a host file."
run mini-chroot "$demo_root/root" /bin/chroot-escape /bin/cat "$demo_root/host-secret"
note "the last line is the host's file, read from inside the chroot"
pause

step "pivot_root in a mount namespace" \
	"New mount and PID namespaces, private propagation, /proc /dev /sys inside, the old root detached."
run mini-pivot-root -x "$demo_root/root" /bin/sh -c "'probe pid; ls /dev; probe mounts'"
note "MS_REC|MS_PRIVATE first; then pid 2 with ppid 1 (sh is PID 1), a /dev of a few nodes, and only the container's mounts"
pause

step "The same escape, after pivot_root" \
	"There is no path left to the host's files: the escape lands on the container's own /."
run -s 1 mini-pivot-root "$demo_root/root" /bin/chroot-escape /bin/cat "$demo_root/host-secret"
note "\"out\", but cat finds no such file: the old root was detached, so the host's path does not exist"
