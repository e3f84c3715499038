/* mounts.h - the OCI runtime spec's filesystem setup, in the container's
 * new mount namespace, safe against a hostile bundle.
 *
 *   mounts_setup   before pivot_root: .mounts in order, then /dev's
 *                  devices and links, and /dev/console
 *   mounts_finish  after pivot_root: sysctl, read-only paths, masked
 *                  paths, rootfsPropagation, root.readonly
 *
 * A destination comes from the bundle, and the bundle may be hostile: a
 * symlink in the root filesystem can point anywhere (CVE-2021-30465). Every
 * path inside the root is opened with openat2(2) RESOLVE_IN_ROOT, so a
 * symlink is followed as if the root were "/", and the mount is made on
 * "/proc/self/fd/N" of the descriptor opened, so that the kernel never
 * looks the path up again (runc does the same). /proc is checked to be a
 * proc filesystem before its fd links are trusted (CVE-2019-19921).
 *
 * Same contract as the other modules: -1 with errno and hop_context(), the
 * context naming the mount ("mount proc on /proc (.mounts[0]): ..."); never
 * exits, never prints to stdout; -v narrates, -x shows each kernel call.
 *
 * Read: the OCI runtime spec's config.md ("Mounts", "Root") and
 * config-linux.md (maskedPaths, readonlyPaths, sysctl, rootfsPropagation,
 * "Default Devices"); openat2(2), mount(2), mount_namespaces(7), proc(5);
 * runc's libcontainer/rootfs_linux.go. Kernel: 5.6 (openat2), 5.8
 * (STATX_ATTR_MOUNT_ROOT).
 */
#ifndef HOP_MOUNTS_H
#define HOP_MOUNTS_H

#include "05-runtime/config.h"

/* Before pivot_root, in the container's new mount namespace, made private
 * by the caller. rootfs: the absolute real path of the root; bundle: the
 * directory relative bind sources are found in; console: the host path of
 * the pty slave to show as /dev/console, or NULL.
 *
 * Each config->mounts[i], in order: its destination is opened (made when
 * missing: directories, or an empty file for a bind of a file) inside
 * rootfs, and the filesystem mounted there; a bind mount is then remounted
 * with its ro/nosuid/nodev/noexec (the first MS_BIND ignores them), and the
 * propagation asked for is set. "proc" and "sysfs" need a directory that
 * is not a symlink, and nothing but proc may go on /proc or inside a proc
 * filesystem except the files lxcfs emulates (CVE-2019-16884). "cgroup" is
 * cgroup2 when the host is pure v2, else an empty read-only tmpfs.
 *
 * Then, unless /dev is a bind mount from the host (runc's rule): null,
 * zero, full, random, urandom and tty (mknod, or a bind of the host's node
 * where mknod is refused, in a user namespace), and the links ptmx, fd,
 * stdin, stdout, stderr and core. */
int mounts_setup(const struct oci_config *config, const char *rootfs,
		 const char *bundle, const char *console);

/* After pivot_root, the cwd being "/", in runc's order: .linux.sysctl
 * (before /proc/sys turns read-only), .linux.readonlyPaths (bound onto
 * themselves, remounted read-only), .linux.maskedPaths (an empty read-only
 * tmpfs over a directory, /dev/null over anything else; checked to be
 * /dev/null after the bind), .linux.rootfsPropagation, .root.readonly.
 * A masked or read-only path that does not exist is skipped; one that is
 * or goes through a symlink is refused. */
int mounts_finish(const struct oci_config *config);

/* May the sysctl key be set in a container whose new namespaces are
 * clone_flags (CLONE_NEW*)? runc's rule: net.* needs a network namespace
 * of its own; kernel.msg*, kernel.sem, kernel.shm* and fs.mqueue.* an IPC
 * one; kernel.hostname and kernel.domainname a UTS one; anything else is
 * the host's and is refused, as is a key with '/', "..", or an empty
 * part. 0, or -1 with hop_refuse() and the reason. */
int mounts_check_sysctl(const char *key, int clone_flags);

/* "rprivate", "slave"... (rootfsPropagation) into MS_PRIVATE|MS_REC,
 * MS_SLAVE...; anything else is refused. */
int mounts_parse_propagation(const char *name, unsigned long *propagation);

/* The flags for MS_REMOUNT|MS_BIND of a mount that has the mount(2) flags
 * current now (its statvfs f_flag, turned into MS_*): what is asked, plus
 * what it had and the config did not ask to clear. Its atime mode is kept unless one is asked: in a user
 * namespace the kernel refuses to change a flag the host set (mount(2),
 * "locked" flags), and a remount with no atime flag means relatime. */
unsigned long mounts_remount_flags(unsigned long requested,
				   unsigned long cleared,
				   unsigned long current);

/* Where the container's own group is, on the host (cgroup v2): a mount
 * of type cgroup that the kernel refuses binds it instead. NULL: none. */
void mounts_use_cgroup(const char *dir);

#endif
