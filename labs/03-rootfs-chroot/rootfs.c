/* rootfs.c - chroot, and pivot_root with /proc, /dev and /sys inside.
 * See rootfs.h for the contract. */
#include "03-rootfs-chroot/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "01-namespaces/ns.h"
#include "lib/hop.h"

int rootfs_chroot(const char *dir)
{
	int rc = chroot(dir);

	hop_explain(rc, "chroot(\"%s\")", dir);
	if (rc < 0)
		return hop_fail(_("chroot %s"), dir);
	rc = chdir("/");
	hop_explain(rc, "chdir(\"/\")");
	if (rc < 0)
		return hop_fail(_("chdir / in %s"), dir);
	return 0;
}

int rootfs_check(const char *dir)
{
	char shell[PATH_MAX];
	struct stat st;

	if (stat(dir, &st) < 0)
		return hop_fail(_("root filesystem %s"), dir);
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return hop_fail(_("root filesystem %s"), dir);
	}
	snprintf(shell, sizeof(shell), "%s/bin/sh", dir);
	if (access(shell, X_OK) < 0)
		return hop_fail(_("root filesystem %s has no /bin/sh"), dir);
	return 0;
}

/* A mount point inside the new root, made if the image lacks it. */
static int mount_point(const char *root, const char *name, char *path,
		       size_t size)
{
	snprintf(path, size, "%s/%s", root, name);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return hop_fail(_("mkdir %s"), path);
	return 0;
}

/* One device in the new /dev: mknod as real root; bind-mount the host's
 * node where mknod is not allowed (in a user namespace). */
static int make_device(const char *dev, const char *name, unsigned major,
		       unsigned minor)
{
	char path[PATH_MAX + 16], host[64];
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dev, name);
	rc = mknod(path, S_IFCHR | 0666, makedev(major, minor));
	hop_explain(rc, "mknod(\"%s\", S_IFCHR|0666, makedev(%u, %u))", path,
		    major, minor);
	if (rc == 0)
		return chmod(path, 0666) < 0 ? hop_fail("chmod %s", path) : 0;
	/* In a user namespace mknod is refused (EPERM, or EOVERFLOW when the
	 * file system cannot represent the owner): borrow the host's node. */
	if (errno != EPERM && errno != EOVERFLOW)
		return hop_fail(_("mknod %s"), path);
	snprintf(host, sizeof(host), "/dev/%s", name);
	rc = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
	if (rc < 0)
		return hop_fail(_("create %s"), path);
	close(rc);
	return ns_mount(host, path, NULL, MS_BIND, NULL);
}

static int mount_dev(const char *root)
{
	static const struct {
		const char *name;
		unsigned major, minor;
	} devices[] = {
		{ "null", 1, 3 },   { "zero", 1, 5 },	 { "full", 1, 7 },
		{ "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
	};
	static const char *const links[][2] = {
		{ "/proc/self/fd", "fd" },
		{ "/proc/self/fd/0", "stdin" },
		{ "/proc/self/fd/1", "stdout" },
		{ "/proc/self/fd/2", "stderr" },
		{ "pts/ptmx", "ptmx" },
	};
	char dev[PATH_MAX], path[PATH_MAX + 16];

	if (mount_point(root, "dev", dev, sizeof(dev)) < 0 ||
	    ns_mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_NOEXEC,
		     "mode=755,size=1m") < 0)
		return -1;
	for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++)
		if (make_device(dev, devices[i].name, devices[i].major,
				devices[i].minor) < 0)
			return -1;
	/* A devpts of its own: the container's ptys are not the host's. */
	if (mount_point(dev, "pts", path, sizeof(path)) < 0 ||
	    ns_mount("devpts", path, "devpts", MS_NOSUID | MS_NOEXEC,
		     "newinstance,ptmxmode=0666,mode=620") < 0)
		return -1;
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dev, links[i][1]);
		if (symlink(links[i][0], path) < 0)
			return hop_fail(_("symlink %s"), path);
	}
	return 0;
}

int rootfs_pivot(const char *dir, int mounts)
{
	char root[PATH_MAX], path[PATH_MAX + 16];
	int rc;

	if (!realpath(dir, root))
		return hop_fail(_("root filesystem %s"), dir);
	/* Nothing mounted from here on may reach the host. */
	if (!(mounts & ROOTFS_KEEP_PROPAGATION) &&
	    ns_set_propagation(MS_PRIVATE) < 0)
		return -1;
	/* pivot_root needs the new root to be a mount point. */
	if (!(mounts & ROOTFS_ALREADY_BOUND) &&
	    ns_mount(root, root, NULL, MS_BIND | MS_REC, NULL) < 0)
		return -1;
	if (mounts & ROOTFS_PROC) {
		if (mount_point(root, "proc", path, sizeof(path)) < 0 ||
		    ns_mount_proc(path) < 0)
			return -1;
	}
	if ((mounts & ROOTFS_DEV) && mount_dev(root) < 0)
		return -1;
	if (mounts & ROOTFS_SYS) {
		if (mount_point(root, "sys", path, sizeof(path)) < 0)
			return -1;
		/* sysfs shows the network devices of the caller's network
		 * namespace: in a user namespace, only if it owns that. */
		if (ns_mount("sysfs", path, "sysfs",
			     MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			     NULL) < 0)
			return errno == EPERM ?
				       hop_set_hint(
					       HOP_HINT_SYSFS_NEEDS_NETNS) :
				       -1;
	}
	rc = chdir(root);
	hop_explain(rc, "chdir(\"%s\")", root);
	if (rc < 0)
		return hop_fail(_("chdir %s"), root);
	/* pivot_root(".", "."): the new root becomes "/", the old one is
	 * stacked on top of it, and unmounting "." takes the old one away. */
	rc = (int)syscall(SYS_pivot_root, ".", ".");
	hop_explain(rc, "pivot_root(\".\", \".\")");
	if (rc < 0)
		return hop_fail(_("pivot_root into %s"), root);
	rc = umount2(".", MNT_DETACH);
	hop_explain(rc, "umount2(\".\", MNT_DETACH)");
	if (rc < 0)
		return hop_fail(_("detach the old root"));
	rc = chdir("/");
	hop_explain(rc, "chdir(\"/\")");
	if (rc < 0)
		return hop_fail(_("chdir /"));
	return 0;
}
