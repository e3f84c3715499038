/* rootfs.h - switch a process into a root filesystem: chroot(2), or the
 * way containers do it, pivot_root(2) in a private mount namespace with
 * /proc, a minimal /dev and /sys mounted inside. Days 04 and 05 reuse it.
 *
 * Same contract as the other modules: -1 with errno and hop_context() on
 * failure, never exits, never prints to stdout; -x shows each kernel call.
 *
 * Read: chroot(2), pivot_root(2), mount(2), mount_namespaces(7), proc(5),
 * Documentation/filesystems/devpts.rst.
 */
#ifndef HOP_ROOTFS_H
#define HOP_ROOTFS_H

/* What to mount inside the new root before switching to it. */
enum rootfs_mounts {
	ROOTFS_PROC = 1 << 0, /* proc on /proc: the caller's PID namespace */
	ROOTFS_DEV = 1 << 1,  /* tmpfs on /dev, six devices, devpts, links */
	ROOTFS_SYS = 1 << 2,  /* sysfs on /sys, read-only */
	ROOTFS_ALL = ROOTFS_PROC | ROOTFS_DEV | ROOTFS_SYS,
	/* The caller chose the propagation already (mini-runc: rslave, and
	 * the config's own per mount): do not make every mount private. */
	ROOTFS_KEEP_PROPAGATION = 1 << 3,
	/* The caller bound dir onto itself before it mounted inside it
	 * (mini-runc, as runc): no second recursive bind, which would leave
	 * out the mounts made unbindable there. */
	ROOTFS_ALREADY_BOUND = 1 << 4,
};

/* chroot(2) into dir, then chdir("/"): what chroot(1) does. It changes
 * where "/" is for path lookups and nothing else. */
int rootfs_chroot(const char *dir);

/* Check that dir is a directory holding an executable /bin/sh. */
int rootfs_check(const char *dir);

/* Mount what is asked inside dir, then pivot_root into it and detach the
 * old root, so that no path leads back to the host's files. Call it in a
 * new mount namespace (and, for ROOTFS_PROC, a new PID namespace, after the
 * fork); it makes every mount private first (unless
 * ROOTFS_KEEP_PROPAGATION). */
int rootfs_pivot(const char *dir, int mounts);

#endif
