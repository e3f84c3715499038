/* mounts.c - .mounts, /dev, sysctl, read-only and masked paths, root
 * propagation and read-only root, against a hostile bundle. See mounts.h
 * for the contract.
 *
 * Why mount(2) on "/proc/self/fd/N" rather than the new mount API
 * (open_tree/move_mount/fsopen): every day of the course mounts through
 * ns_mount(), so -x shows the same mount(2) calls that runc makes and
 * that strace shows for it; the spec's options are mount(8)'s, which
 * map onto mount(2) flags and one data string (fsconfig(2) would need
 * them split, key by key, filesystem by filesystem). The price is trusting
 * /proc, which is checked to be procfs before each phase.
 */
#include "05-runtime/mounts.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "01-namespaces/ns.h"
#include "lib/hop.h"

/* A path inside the root, resolved as runc's CVE-2021-30465 fix does: a
 * symlink or ".." cannot leave the root, nor can a /proc magic link. */
#define IN_ROOT (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)
/* The same with no symlink at all on the way: for the paths where a
 * symlink can only be an attack (proc, sysfs, /dev, listed paths). */
#define NO_LINKS (IN_ROOT | RESOLVE_NO_SYMLINKS)

/* Flags a bind mount has of its own (the others are its superblock's). */
#define ATIME_MODE (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)
#define PER_MOUNT_FLAGS                                                 \
	(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NODIRATIME | \
	 ATIME_MODE)
#define PROPAGATION  (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE)
#define FD_PATH_SIZE 32

static const struct hop_flag resolve_names[] = {
	{ RESOLVE_IN_ROOT, "RESOLVE_IN_ROOT" },
	{ RESOLVE_NO_MAGICLINKS, "RESOLVE_NO_MAGICLINKS" },
	{ RESOLVE_NO_SYMLINKS, "RESOLVE_NO_SYMLINKS" },
	{ 0, NULL },
};

static const struct hop_flag open_names[] = {
	{ O_PATH, "O_PATH" },
	{ O_DIRECTORY, "O_DIRECTORY" },
	{ O_WRONLY, "O_WRONLY" },
	{ O_CLOEXEC, "O_CLOEXEC" },
	{ 0, NULL },
};

/* "/proc/self/fd/N": mount(2) follows this magic link to the very file fd
 * holds, with no second lookup of a path that a symlink could redirect. */
static const char *fd_path(char *text, int fd)
{
	snprintf(text, FD_PATH_SIZE, "/proc/self/fd/%d", fd);
	return text;
}

/* openat2(2) of path in root_fd, which stands for "/". -1 with errno and
 * nothing recorded: ENOENT means something else to each caller. */
static int open_in_root(int root_fd, const char *path, int flags,
			unsigned long long resolve)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		.resolve = resolve,
	};
	char names[2][96];
	int fd;

	while (*path == '/')
		path++;
	if (!*path)
		path = ".";
	fd = (int)syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
	hop_explain(fd, "openat2(%d, \"%s\", {%s, %s})", root_fd, path,
		    hop_flags_string(how.flags, open_names, names[0],
				     sizeof(names[0])),
		    hop_flags_string(resolve, resolve_names, names[1],
				     sizeof(names[1])));
	return fd;
}

static int on_procfs(int fd)
{
	struct statfs st;

	return fstatfs(fd, &st) == 0 && st.f_type == PROC_SUPER_MAGIC;
}

/* A mount on "/proc/self/fd/N" is as safe as /proc is: a /proc that is a
 * directory of the bundle's could send it anywhere (CVE-2019-19921). */
static int check_proc_fd_links(void)
{
	struct statfs st;

	if (statfs("/proc/self/fd", &st) < 0)
		return hop_fail("statfs /proc/self/fd");
	if (st.f_type != PROC_SUPER_MAGIC)
		return hop_refuse(_("/proc is not a proc filesystem: its "
				    "/proc/self/fd links cannot be trusted"));
	return 0;
}

/* path[start..next) is a symlink to something missing: its target takes
 * its place in path, to be made inside the root in turn, as runc's
 * securejoin does ("/data" -> "/../../tmp/x" makes ROOT/tmp/x). */
static int splice_link(int parent, char *path, size_t size, size_t start,
		       size_t next, const char *name)
{
	char target[PATH_MAX], spliced[PATH_MAX];
	ssize_t n = readlinkat(parent, name, target, sizeof(target) - 1);
	int length;

	if (n < 0)
		return hop_fail(_("make %s"), path);
	target[n] = '\0';
	length = snprintf(spliced, sizeof(spliced), "%.*s%s%s%s",
			  target[0] == '/' ? 0 : (int)start, path, target,
			  path[next] ? "/" : "", path + next);
	if (length < 0 || (size_t)length >= size) {
		errno = ENAMETOOLONG;
		return hop_fail(_("make %s"), path);
	}
	memcpy(path, spliced, (size_t)length + 1);
	return 0;
}

/* Make path[start..end), the first component of path that is missing: a
 * directory, or an empty file when it is the last and a file is wanted,
 * made relative to its parent's descriptor, never by a path again. */
static int make_component(int root_fd, char *path, size_t size, size_t start,
			  size_t end, int want_file)
{
	char name[NAME_MAX + 1];
	size_t next = end;
	int parent, rc;

	if (end - start > NAME_MAX) {
		errno = ENAMETOOLONG;
		return hop_fail(_("make %s"), path);
	}
	while (path[next] == '/')
		next++;
	snprintf(name, sizeof(name), "%.*s", (int)(end - start), path + start);
	path[start] = '\0';
	parent = open_in_root(root_fd, path, O_PATH | O_DIRECTORY, IN_ROOT);
	path[start] = name[0];
	if (parent < 0)
		return hop_fail(_("open %.*s"), (int)start, path);
	if (!path[next] && want_file) {
		rc = openat(parent, name,
			    O_CREAT | O_EXCL | O_RDONLY | O_NOFOLLOW |
				    O_CLOEXEC,
			    0644);
		hop_explain(rc, "openat(%d, \"%s\", O_CREAT|O_EXCL|O_NOFOLLOW)",
			    parent, name);
		if (rc >= 0)
			close(rc);
	} else {
		rc = mkdirat(parent, name, 0755);
		hop_explain(rc, "mkdirat(%d, \"%s\", 0755)", parent, name);
	}
	/* There, yet not found: a symlink to something missing. */
	if (rc < 0 && errno == EEXIST)
		rc = splice_link(parent, path, size, start, next, name);
	else if (rc < 0)
		hop_fail(_("make %.*s"), (int)end, path);
	close(parent);
	return rc < 0 ? -1 : 0;
}

/* Find the first missing component of path (the whole path is missing:
 * the caller tried), and make it. */
static int make_missing(int root_fd, char *path, size_t size,
			unsigned long long resolve, int want_file)
{
	size_t start, end = 0;
	char saved;
	int fd;

	for (;;) {
		while (path[end] == '/')
			end++;
		start = end;
		while (path[end] && path[end] != '/')
			end++;
		if (start == end) { /* all there now: it raced with us */
			errno = ENOENT;
			return hop_fail(_("open %s"), path);
		}
		/* The whole path is known to be missing: make it. */
		if (!path[end + strspn(path + end, "/")])
			break;
		saved = path[end];
		path[end] = '\0';
		fd = open_in_root(root_fd, path, O_PATH, resolve);
		path[end] = saved;
		if (fd >= 0) {
			close(fd);
			continue;
		}
		if (errno != ENOENT)
			return hop_fail(_("open %.*s"), (int)end, path);
		break;
	}
	return make_component(root_fd, path, size, start, end, want_file);
}

/* Open destination inside the root as O_PATH, making what is missing. */
static int open_destination(int root_fd, const char *destination,
			    unsigned long long resolve, int want_file)
{
	char path[PATH_MAX];
	int fd, turns = 0;

	if (snprintf(path, sizeof(path), "%s", destination) >=
	    (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return hop_fail("%s", destination);
	}
	/* Each turn makes one component or follows one symlink. */
	while ((fd = open_in_root(root_fd, path, O_PATH, resolve)) < 0 &&
	       errno == ENOENT) {
		if (++turns > 256) {
			errno = ELOOP;
			break;
		}
		if (make_missing(root_fd, path, sizeof(path), resolve,
				 want_file) < 0)
			return -1;
	}
	if (fd < 0 && errno == ELOOP && (resolve & RESOLVE_NO_SYMLINKS))
		return hop_refuse(_("%s is a symlink, or goes through one"),
				  destination);
	if (fd < 0)
		return hop_fail(_("open %s in the root"), destination);
	return fd;
}

/* After a mount, the destination again: the new descriptor is the root of
 * what was mounted (the old one is still the file beneath). It must be a
 * mount root, or something was swapped in between. */
static int reopen_mount(int root_fd, const char *path,
			unsigned long long resolve)
{
	struct statx st;
	int fd = open_in_root(root_fd, path, O_PATH, resolve);

	if (fd < 0)
		return hop_fail(_("open %s again after the mount"), path);
	if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &st) < 0) {
		hop_fail("statx %s", path);
		close(fd);
		return -1;
	}
	if ((st.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
	    !(st.stx_attributes & STATX_ATTR_MOUNT_ROOT)) {
		close(fd);
		return hop_refuse(_("%s is not the mount just made"), path);
	}
	return fd;
}

unsigned long mounts_remount_flags(unsigned long requested,
				   unsigned long cleared, unsigned long current)
{
	unsigned long flags = (requested & PER_MOUNT_FLAGS) |
			      (current & PER_MOUNT_FLAGS & ~cleared);

	/* One atime mode: the one asked for, else the one it had. */
	if (requested & ATIME_MODE)
		flags = (flags & ~ATIME_MODE) | (requested & ATIME_MODE);
	/* Neither noatime nor relatime is strictatime, which must be said:
	 * mount(2) takes no atime flag at all for relatime. */
	if (!(flags & (MS_NOATIME | MS_RELATIME)))
		flags |= MS_STRICTATIME;
	return flags;
}

/* statvfs(3)'s f_flag into mount(2) flags: most bits are the same, not
 * ST_RELATIME (4096 is MS_BIND there). */
static unsigned long mount_flags_of(unsigned long f_flag)
{
	static const unsigned long pairs[][2] = {
		{ ST_RDONLY, MS_RDONLY },     { ST_NOSUID, MS_NOSUID },
		{ ST_NODEV, MS_NODEV },	      { ST_NOEXEC, MS_NOEXEC },
		{ ST_NOATIME, MS_NOATIME },   { ST_NODIRATIME, MS_NODIRATIME },
		{ ST_RELATIME, MS_RELATIME },
	};
	unsigned long flags = 0;

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		if (f_flag & pairs[i][0])
			flags |= pairs[i][1];
	return flags;
}

/* MS_REMOUNT|MS_BIND of the mount fd is the root of. */
static int remount(int fd, unsigned long requested, unsigned long cleared)
{
	char link[FD_PATH_SIZE];
	struct statvfs st;

	if (fstatvfs(fd, &st) < 0)
		return hop_fail("statvfs");
	return ns_mount(NULL, fd_path(link, fd), NULL,
			MS_REMOUNT | MS_BIND |
				mounts_remount_flags(requested, cleared,
						     mount_flags_of(st.f_flag)),
			NULL);
}

static int is_type(const struct oci_mount *m, const char *type)
{
	return m->type && strcmp(m->type, type) == 0;
}

static int is_bind(const struct oci_mount *m)
{
	return (m->flags & MS_BIND) || !m->type || is_type(m, "bind");
}

/* Nothing but proc goes on /proc, and nothing at all inside a proc
 * filesystem but the files lxcfs emulates: a mount there could undo what
 * masked paths and an LSM profile protect (CVE-2019-16884, runc's
 * checkProcMount). Tested on the file opened, where the kernel says it is
 * (its fd link), which no symlink dodges. */
static int check_proc_destination(int fd, const char *rootfs,
				  const struct oci_mount *m)
{
	static const char *const lxcfs[] = {
		"cpuinfo", "diskstats",
		"meminfo", "stat",
		"swaps",   "uptime",
		"loadavg", "slabinfo",
		"net/dev", "sys/kernel/ns_last_pid",
	};
	char link[FD_PATH_SIZE], where[PATH_MAX], proc[PATH_MAX];
	size_t length;
	ssize_t n;

	if (is_type(m, "proc"))
		return 0;
	n = readlink(fd_path(link, fd), where, sizeof(where) - 1);
	if (n < 0)
		return hop_fail("readlink %s", link);
	where[n] = '\0';
	length = (size_t)snprintf(proc, sizeof(proc), "%s/proc", rootfs);
	if (strncmp(where, proc, length) != 0 ||
	    (where[length] && where[length] != '/')) {
		if (!on_procfs(fd))
			return 0;
	} else if (where[length] == '/') {
		for (size_t i = 0; i < sizeof(lxcfs) / sizeof(lxcfs[0]); i++)
			if (strcmp(where + length + 1, lxcfs[i]) == 0)
				return 0;
	}
	return hop_refuse(
		_("%s is /proc or in it, where only proc may be mounted"),
		m->destination);
}

/* On v1 or hybrid hosts "cgroup" becomes an empty read-only tmpfs (runc
 * would bind each hierarchy's group: a limitation of ours); on pure v2 it
 * is cgroup2, whose root is the container's group in a cgroup namespace. */
static int host_is_cgroup2(void)
{
	struct statfs st;

	return statfs("/sys/fs/cgroup", &st) == 0 &&
	       st.f_type == CGROUP2_SUPER_MAGIC;
}

static const char *own_cgroup; /* mounts_use_cgroup() */

void mounts_use_cgroup(const char *dir)
{
	own_cgroup = dir;
}

/* cgroup2 refused (EPERM, EBUSY: in a user namespace, say, where the
 * host's mount has options we may not take): bind the container's own
 * group there instead, as runc does. */
static int bind_own_cgroup(const char *target, unsigned long flags)
{
	if (!own_cgroup || (errno != EPERM && errno != EBUSY))
		return -1;
	hop_step(_("cgroup2 refused: bind %s there instead"), own_cgroup);
	if (ns_mount(own_cgroup, target, NULL, MS_BIND | MS_REC, NULL) < 0)
		return -1;
	return ns_mount(NULL, target, NULL,
			MS_BIND | MS_REMOUNT |
				(flags & (MS_RDONLY | MS_NOSUID | MS_NODEV |
					  MS_NOEXEC)),
			NULL);
}

/* Copy the tree of directory from into directory to, with modes, owners
 * and times: runc's tmpcopyup, so that a tmpfs on /run or /tmp starts with
 * what the image had there. Nothing is followed: a symlink is copied as a
 * symlink, and every name is taken relative to a directory we hold. */
static int copy_tree(int from, int to, int depth);

static int copy_entry(int from, int to, const char *name, int depth)
{
	struct stat st;
	int rc = 0;

	if (fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return hop_fail("stat %s", name);
	if (S_ISDIR(st.st_mode)) {
		int sub_from, sub_to;

		if (mkdirat(to, name, 0700) < 0)
			return hop_fail("mkdir %s", name);
		sub_from =
			openat(from, name,
			       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		sub_to =
			openat(to, name,
			       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		rc = sub_from < 0 || sub_to < 0 ?
			     hop_fail("open %s", name) :
			     copy_tree(sub_from, sub_to, depth + 1);
		if (sub_from >= 0)
			close(sub_from);
		if (sub_to >= 0)
			close(sub_to);
	} else if (S_ISREG(st.st_mode)) {
		int in = openat(from, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		int out = openat(to, name,
				 O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
					 O_CLOEXEC,
				 0600);
		ssize_t n = 1;

		while (in >= 0 && out >= 0 && n > 0)
			n = copy_file_range(in, NULL, out, NULL, 1 << 20, 0);
		if (in < 0 || out < 0 || n < 0)
			rc = hop_fail("copy %s", name);
		if (in >= 0)
			close(in);
		if (out >= 0)
			close(out);
	} else if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlinkat(from, name, target, sizeof(target) - 1);

		if (n < 0)
			return hop_fail("readlink %s", name);
		target[n] = '\0';
		if (symlinkat(target, to, name) < 0)
			rc = hop_fail("symlink %s", name);
	} else if (mknodat(to, name, st.st_mode, st.st_rdev) < 0)
		rc = hop_fail("mknod %s", name);
	if (rc < 0)
		return -1;
	const struct timespec times[2] = { st.st_atim, st.st_mtim };

	if (fchownat(to, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
	    (!S_ISLNK(st.st_mode) &&
	     fchmodat(to, name, st.st_mode & 07777, 0) < 0) ||
	    utimensat(to, name, times, AT_SYMLINK_NOFOLLOW) < 0)
		return hop_fail("set the owner, mode and times of %s", name);
	return 0;
}

static int copy_tree(int from, int to, int depth)
{
	int dup_fd = dup(from), rc = 0;
	struct dirent *entry;
	DIR *dir;

	if (depth > 64) {
		errno = ELOOP;
		return hop_fail(_("tmpcopyup: the tree is too deep"));
	}
	dir = dup_fd < 0 ? NULL : fdopendir(dup_fd);
	if (!dir) {
		if (dup_fd >= 0)
			close(dup_fd);
		return hop_fail("tmpcopyup: read a directory");
	}
	while (rc == 0 && (entry = readdir(dir)) != NULL)
		if (strcmp(entry->d_name, ".") != 0 &&
		    strcmp(entry->d_name, "..") != 0)
			rc = copy_entry(from, to, entry->d_name, depth);
	closedir(dir);
	return rc;
}

/* The new tmpfs on destination gets a copy of what lower (the directory
 * beneath it) holds, and lower's mode and owner. */
static int copy_up(int root_fd, const struct oci_mount *m, int lower)
{
	int upper = reopen_mount(root_fd, m->destination, IN_ROOT), dir = -1;
	struct stat st;
	int rc;

	if (upper < 0)
		return -1;
	hop_step(_("copy what %s held into the new tmpfs (tmpcopyup)"),
		 m->destination);
	dir = openat(upper, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	rc = dir < 0 ? hop_fail("open %s", m->destination) :
		       copy_tree(lower, dir, 0);
	if (rc == 0 &&
	    (fstat(lower, &st) < 0 || fchown(dir, st.st_uid, st.st_gid) < 0 ||
	     fchmod(dir, st.st_mode & 07777) < 0))
		rc = hop_fail("tmpcopyup: the mode of %s", m->destination);
	if (rc == 0 && (m->flags & MS_RDONLY) &&
	    remount(upper, m->flags, m->clear_flags) < 0)
		rc = hop_fail(_("remount %s read-only"), m->destination);
	if (dir >= 0)
		close(dir);
	close(upper);
	return rc;
}

/* A filesystem of its own (not a bind): proc, tmpfs, devpts, sysfs... */
static int mount_filesystem(int root_fd, const char *rootfs,
			    const struct oci_mount *m, const char *label)
{
	const char *type = m->type, *source = m->source, *data = m->data;
	unsigned long flags = m->flags & ~(MS_REMOUNT | MS_REC | PROPAGATION);
	int special = is_type(m, "proc") || is_type(m, "sysfs"), fd, rc;
	int lower = -1;
	char link[FD_PATH_SIZE];
	struct stat st;

	fd = open_destination(root_fd, m->destination,
			      special ? NO_LINKS : IN_ROOT, 0);
	if (fd < 0)
		return hop_wrap("%s", label);
	if (special && (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode))) {
		close(fd);
		return hop_refuse(_("%s: %s is not a directory"), label,
				  m->destination);
	}
	if (check_proc_destination(fd, rootfs, m) < 0) {
		close(fd);
		return hop_wrap("%s", label);
	}
	if (is_type(m, "cgroup") && host_is_cgroup2()) {
		type = "cgroup2";
		data = NULL;
	} else if (is_type(m, "cgroup")) {
		hop_step(_("cgroup v1 on the host: an empty read-only tmpfs "
			   "on %s instead"),
			 m->destination);
		type = source = "tmpfs";
		flags |= MS_RDONLY;
		data = "mode=755";
	}
	/* tmpcopyup: hold the directory beneath, and fill the tmpfs
	 * before it is made read-only. */
	if (m->copy_up) {
		lower = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (lower < 0) {
			close(fd);
			return hop_fail(_("%s: open the directory beneath"),
					label);
		}
		flags &= ~MS_RDONLY;
	}
	rc = ns_mount(source, fd_path(link, fd), type, flags, data);
	if (rc < 0 && strcmp(type, "cgroup2") == 0)
		rc = bind_own_cgroup(fd_path(link, fd), flags);
	if (rc == 0 && lower >= 0)
		rc = copy_up(root_fd, m, lower);
	if (rc < 0)
		hop_fail("%s", label);
	if (lower >= 0)
		close(lower);
	close(fd);
	return rc;
}

/* A bind mount: the source is the host's, relative ones to the bundle;
 * the destination is made a directory or an empty file, like the source. */
static int mount_bind(int root_fd, const char *rootfs, const char *bundle,
		      const struct oci_mount *m, const char *label)
{
	char source[PATH_MAX], link[FD_PATH_SIZE];
	struct stat st;
	int fd, rc;

	if (m->source[0] == '/')
		rc = snprintf(source, sizeof(source), "%s", m->source);
	else
		rc = snprintf(source, sizeof(source), "%s/%s", bundle,
			      m->source);
	if (rc < 0 || (size_t)rc >= sizeof(source)) {
		errno = ENAMETOOLONG;
		return hop_fail(_("%s: source %s"), label, m->source);
	}
	if (stat(source, &st) < 0)
		return hop_fail(_("%s: source %s"), label, source);
	fd = open_destination(root_fd, m->destination, IN_ROOT,
			      !S_ISDIR(st.st_mode));
	if (fd < 0)
		return hop_wrap("%s", label);
	if (check_proc_destination(fd, rootfs, m) < 0) {
		close(fd);
		return hop_wrap("%s", label);
	}
	/* The first call takes none of ro, nosuid...: see mount_entry(). */
	rc = ns_mount(source, fd_path(link, fd), NULL,
		      MS_BIND | (m->flags & MS_REC), NULL);
	if (rc < 0)
		hop_fail("%s", label);
	close(fd);
	return rc;
}

/* One entry of .mounts; its errors say which one: "mount proc on /proc
 * (.mounts[0]): Operation not permitted". */
static int mount_entry(int root_fd, const char *rootfs, const char *bundle,
		       const struct oci_mount *m, size_t index)
{
	unsigned long long resolve = IN_ROOT;
	int bind = is_bind(m), remounted, fd, rc = 0;
	char label[512], link[FD_PATH_SIZE];

	if (bind)
		snprintf(label, sizeof(label),
			 _("bind-mount %s on %s (.mounts[%zu])"), m->source,
			 m->destination, index);
	else
		snprintf(label, sizeof(label),
			 _("mount %s on %s (.mounts[%zu])"), m->type,
			 m->destination, index);
	hop_step("%s", label);
	if (bind ? mount_bind(root_fd, rootfs, bundle, m, label) :
		   mount_filesystem(root_fd, rootfs, m, label))
		return -1;
	/* A bind takes its flags from a remount, and the propagation asked
	 * for goes on the new mount: both on a fresh descriptor of it. */
	remounted = bind && ((m->flags | m->clear_flags) & PER_MOUNT_FLAGS);
	if (!remounted && !m->propagation)
		return 0;
	if (is_type(m, "proc") || is_type(m, "sysfs"))
		resolve = NO_LINKS;
	fd = reopen_mount(root_fd, m->destination, resolve);
	if (fd < 0)
		return hop_wrap("%s", label);
	if (remounted && remount(fd, m->flags, m->clear_flags) < 0)
		rc = hop_fail(_("%s: remount with its options"), label);
	if (rc == 0 && m->propagation &&
	    ns_mount(NULL, fd_path(link, fd), NULL, m->propagation, NULL) < 0)
		rc = hop_fail(_("%s: set its propagation"), label);
	close(fd);
	return rc;
}

static const struct device {
	const char *name;
	unsigned major, minor;
} devices[] = {
	{ "null", 1, 3 },   { "zero", 1, 5 },	 { "full", 1, 7 },
	{ "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
};

/* One device node in /dev: mknod as real root; in a user namespace mknod
 * is refused, and the host's node is bound on an empty file instead. One
 * already there must be that very device: masked paths trust /dev/null. */
static int make_device(int dev_fd, const struct device *d)
{
	char link[FD_PATH_SIZE], host[32];
	dev_t number = makedev(d->major, d->minor);
	struct stat st;
	int rc, fd;

	rc = mknodat(dev_fd, d->name, S_IFCHR | 0666, number);
	hop_explain(rc, "mknodat(%d, \"%s\", S_IFCHR|0666, makedev(%u, %u))",
		    dev_fd, d->name, d->major, d->minor);
	if (rc == 0) /* the umask took bits off: 0666 is what runc gives */
		return fchmodat(dev_fd, d->name, 0666, 0) < 0 ?
			       hop_fail("chmod /dev/%s", d->name) :
			       0;
	if (errno == EEXIST) {
		if (fstatat(dev_fd, d->name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISCHR(st.st_mode) && st.st_rdev == number)
			return 0;
		return hop_refuse(_("/dev/%s is in the root already, and is "
				    "not the device %u:%u"),
				  d->name, d->major, d->minor);
	}
	if (errno != EPERM && errno != EOVERFLOW)
		return hop_fail(_("mknod /dev/%s"), d->name);
	fd = openat(dev_fd, d->name,
		    O_CREAT | O_EXCL | O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0666);
	hop_explain(fd, "openat(%d, \"%s\", O_CREAT|O_EXCL|O_NOFOLLOW)", dev_fd,
		    d->name);
	if (fd < 0)
		return hop_fail(_("create /dev/%s"), d->name);
	snprintf(host, sizeof(host), "/dev/%s", d->name);
	rc = ns_mount(host, fd_path(link, fd), NULL, MS_BIND, NULL);
	if (rc < 0)
		hop_fail(_("bind-mount %s on /dev/%s"), host, d->name);
	close(fd);
	return rc;
}

/* The links runc makes in /dev, /dev/core only where the host has a
 * /proc/kcore. One already there is left as it is, as runc does, except
 * ptmx: the container's own devpts is the one to use. */
static int make_dev_links(int dev_fd)
{
	static const char *const links[][2] = {
		{ "/proc/self/fd", "fd" },
		{ "/proc/self/fd/0", "stdin" },
		{ "/proc/self/fd/1", "stdout" },
		{ "/proc/self/fd/2", "stderr" },
		{ "pts/ptmx", "ptmx" },
		{ "/proc/kcore", "core" },
	};
	int rc;

	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		const char *target = links[i][0], *name = links[i][1];

		if (strcmp(name, "core") == 0 && access(target, F_OK) < 0)
			continue;
		if (strcmp(name, "ptmx") == 0) {
			rc = unlinkat(dev_fd, name, 0);
			hop_explain(rc, "unlinkat(%d, \"%s\", 0)", dev_fd,
				    name);
			if (rc < 0 && errno != ENOENT)
				return hop_fail(_("remove /dev/%s"), name);
		}
		rc = symlinkat(target, dev_fd, name);
		hop_explain(rc, "symlinkat(\"%s\", %d, \"%s\")", target, dev_fd,
			    name);
		if (rc < 0 && errno != EEXIST)
			return hop_fail(_("symlink /dev/%s"), name);
	}
	return 0;
}

/* runc's rule: a /dev bound from the host is the host's to fill. */
static int dev_from_host(const struct oci_config *config)
{
	for (size_t i = 0; i < config->mount_count; i++) {
		const char *at = config->mounts[i].destination;

		while (*at == '/')
			at++;
		if (is_bind(&config->mounts[i]) && strncmp(at, "dev", 3) == 0 &&
		    strspn(at + 3, "/") == strlen(at + 3))
			return 1;
	}
	return 0;
}

/* The pty slave the runtime holds for the container's terminal, seen
 * inside as /dev/console (runc's mountConsole). */
static int bind_console(int root_fd, const char *console)
{
	char link[FD_PATH_SIZE];
	int fd = open_destination(root_fd, "/dev/console", NO_LINKS, 1), rc;

	if (fd < 0)
		return hop_wrap(_("bind-mount %s on /dev/console"), console);
	rc = ns_mount(console, fd_path(link, fd), NULL, MS_BIND, NULL);
	if (rc < 0)
		hop_fail(_("bind-mount %s on /dev/console"), console);
	close(fd);
	return rc;
}

static int setup_dev(int root_fd, const struct oci_config *config,
		     const char *console)
{
	int dev_fd, rc = 0;

	if (dev_from_host(config)) {
		hop_step(_("/dev is bound from the host: no device made"));
	} else {
		hop_step(_("make the devices and links of /dev"));
		dev_fd = open_destination(root_fd, "/dev", NO_LINKS, 0);
		if (dev_fd < 0)
			return -1;
		for (size_t i = 0;
		     rc == 0 && i < sizeof(devices) / sizeof(devices[0]); i++)
			rc = make_device(dev_fd, &devices[i]);
		if (rc == 0)
			rc = make_dev_links(dev_fd);
		close(dev_fd);
		if (rc < 0)
			return -1;
	}
	return console ? bind_console(root_fd, console) : 0;
}

int mounts_setup(const struct oci_config *config, const char *rootfs,
		 const char *bundle, const char *console)
{
	int root_fd, rc = 0;

	if (check_proc_fd_links() < 0)
		return -1;
	root_fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	hop_explain(root_fd, "open(\"%s\", O_PATH|O_DIRECTORY)", rootfs);
	if (root_fd < 0)
		return hop_fail(_("open the root filesystem %s"), rootfs);
	for (size_t i = 0; rc == 0 && i < config->mount_count; i++)
		rc = mount_entry(root_fd, rootfs, bundle, &config->mounts[i],
				 i);
	if (rc == 0)
		rc = setup_dev(root_fd, config, console);
	close(root_fd);
	return rc;
}

/* ---- after pivot_root ------------------------------------------------ */

static int need_namespace(int clone_flags, int flag, const char *key,
			  const char *kind)
{
	if (clone_flags & flag)
		return 0;
	return hop_refuse(_("sysctl %s is not allowed: the container has no "
			    "%s namespace of its own"),
			  key, kind);
}

int mounts_check_sysctl(const char *key, int clone_flags)
{
	size_t length = strlen(key);

	if (!length || key[0] == '.' || key[length - 1] == '.' ||
	    strchr(key, '/') || strstr(key, ".."))
		return hop_refuse(_("sysctl '%s' is not a sysctl name (parts "
				    "joined by dots, no '/')"),
				  key);
	/* The ones ipc_namespaces(7) and mq_overview(7) list. */
	if (strncmp(key, "kernel.msg", 10) == 0 ||
	    strcmp(key, "kernel.sem") == 0 ||
	    strncmp(key, "kernel.shm", 10) == 0 ||
	    strncmp(key, "fs.mqueue.", 10) == 0)
		return need_namespace(clone_flags, CLONE_NEWIPC, key, "IPC");
	if (strncmp(key, "net.", 4) == 0)
		return need_namespace(clone_flags, CLONE_NEWNET, key,
				      "network");
	if (strcmp(key, "kernel.hostname") == 0 ||
	    strcmp(key, "kernel.domainname") == 0)
		return need_namespace(clone_flags, CLONE_NEWUTS, key, "UTS");
	return hop_refuse(_("sysctl %s is not allowed: it is not in a "
			    "namespace, and would change the host"),
			  key);
}

/* Through /proc/sys, checked to be proc's on the file opened: a mount
 * there could send the write elsewhere (CVE-2025-52881). */
static int write_sysctl(int root_fd, const struct oci_sysctl *sysctl,
			int clone_flags)
{
	size_t length = strlen(sysctl->value);
	char path[PATH_MAX];
	ssize_t written;
	int fd;

	if (mounts_check_sysctl(sysctl->key, clone_flags) < 0)
		return hop_wrap(".linux.sysctl");
	snprintf(path, sizeof(path), "/proc/sys/%s", sysctl->key);
	for (char *c = path + strlen("/proc/sys/"); *c; c++)
		if (*c == '.')
			*c = '/';
	fd = open_in_root(root_fd, path, O_WRONLY, NO_LINKS);
	if (fd < 0)
		return hop_fail(_("sysctl %s: open %s"), sysctl->key, path);
	if (!on_procfs(fd)) {
		close(fd);
		return hop_refuse(_("sysctl %s: %s is not in a proc "
				    "filesystem"),
				  sysctl->key, path);
	}
	written = write(fd, sysctl->value, length);
	hop_explain(written, "write(%d, \"%s\", %zu)", fd, sysctl->value,
		    length);
	if (written >= 0 && (size_t)written != length)
		errno = EIO;
	if (written < 0 || (size_t)written != length)
		hop_fail(_("sysctl %s: write %s"), sysctl->key, path);
	close(fd);
	return written < 0 || (size_t)written != length ? -1 : 0;
}

/* A path of readonlyPaths or maskedPaths: none that is, or goes through,
 * a symlink, which could point at what must stay writable or away from
 * what must be hidden; under /proc, one in a proc filesystem
 * (CVE-2019-19921). -1 with errno ENOENT, recorded nowhere, when it is not
 * there: runc skips those. */
static int open_listed(int root_fd, const char *list, const char *path)
{
	int fd = open_in_root(root_fd, path, O_PATH, NO_LINKS);

	if (fd < 0 && errno == ENOENT)
		hop_step(_("%s: %s is not there: skipped"), list, path);
	if (fd < 0 && errno == ELOOP)
		return hop_refuse(_("%s: %s is a symlink, or goes through one"),
				  list, path);
	if (fd < 0 && errno != ENOENT)
		return hop_fail(_("%s: open %s"), list, path);
	if (fd >= 0 && strncmp(path, "/proc/", 6) == 0 && !on_procfs(fd)) {
		close(fd);
		return hop_refuse(_("%s: %s is not in a proc filesystem"), list,
				  path);
	}
	return fd;
}

static int make_readonly(int root_fd, const char *path)
{
	char link[FD_PATH_SIZE];
	int fd = open_listed(root_fd, "readonlyPaths", path), rc;

	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	hop_step(_("make %s read-only"), path);
	rc = ns_mount(fd_path(link, fd), link, NULL, MS_BIND | MS_REC, NULL);
	if (rc < 0)
		hop_fail(_("readonlyPaths: bind-mount %s on itself"), path);
	close(fd);
	if (rc < 0)
		return -1;
	fd = reopen_mount(root_fd, path, NO_LINKS);
	if (fd < 0)
		return hop_wrap("readonlyPaths");
	rc = remount(fd, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, 0);
	if (rc < 0)
		hop_fail(_("readonlyPaths: remount %s read-only"), path);
	close(fd);
	return rc;
}

static int is_null_device(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) &&
	       st.st_rdev == makedev(1, 3);
}

/* /dev/null over a masked file: the container's, opened with no symlink
 * and checked to be 1:3, then bound through that descriptor, and what the
 * masked path shows checked after. A /dev/null swapped for a symlink to a
 * /proc file would bind that file, writable, over the path (CVE-2025-31133
 * and the other runc advisories of November 2025). */
static int bind_null(int root_fd, int fd, const char *path)
{
	char from[FD_PATH_SIZE], to[FD_PATH_SIZE];
	int null_fd = open_in_root(root_fd, "/dev/null", O_PATH, NO_LINKS);
	int rc;

	if (null_fd < 0 && errno == ELOOP)
		return hop_refuse(_("maskedPaths: /dev/null is a symlink, or "
				    "goes through one"));
	if (null_fd < 0)
		return hop_fail(_("maskedPaths: open /dev/null"));
	if (!is_null_device(null_fd)) {
		close(null_fd);
		return hop_refuse(_("maskedPaths: /dev/null is not the null "
				    "device (1:3)"));
	}
	rc = ns_mount(fd_path(from, null_fd), fd_path(to, fd), NULL, MS_BIND,
		      NULL);
	if (rc < 0)
		hop_fail(_("maskedPaths: bind-mount /dev/null on %s"), path);
	close(null_fd);
	if (rc < 0)
		return -1;
	fd = reopen_mount(root_fd, path, NO_LINKS);
	if (fd < 0)
		return hop_wrap("maskedPaths");
	rc = is_null_device(fd);
	close(fd);
	if (!rc)
		return hop_refuse(_("maskedPaths: %s does not show /dev/null "
				    "after the bind"),
				  path);
	return 0;
}

/* A directory gets an empty read-only tmpfs over it, anything else
 * /dev/null: what runc does. */
static int mask_path(int root_fd, const char *path)
{
	char link[FD_PATH_SIZE];
	struct stat st;
	int fd = open_listed(root_fd, "maskedPaths", path), rc;

	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	hop_step(_("mask %s"), path);
	if (fstat(fd, &st) < 0)
		rc = hop_fail(_("maskedPaths: stat %s"), path);
	else if (!S_ISDIR(st.st_mode))
		rc = bind_null(root_fd, fd, path);
	else if ((rc = ns_mount("tmpfs", fd_path(link, fd), "tmpfs",
				MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
				"mode=755")) < 0)
		hop_fail(_("maskedPaths: mount tmpfs on %s"), path);
	close(fd);
	return rc;
}

int mounts_parse_propagation(const char *name, unsigned long *propagation)
{
	static const struct hop_flag kinds[] = {
		{ MS_PRIVATE, "private" },
		{ MS_SHARED, "shared" },
		{ MS_SLAVE, "slave" },
		{ MS_UNBINDABLE, "unbindable" },
		{ 0, NULL },
	};
	int recursive = name[0] == 'r';

	for (const struct hop_flag *kind = kinds; kind->name; kind++) {
		if (strcmp(name + recursive, kind->name) == 0) {
			*propagation = kind->value | (recursive ? MS_REC : 0);
			return 0;
		}
	}
	return hop_refuse(_("unknown propagation '%s'"), name);
}

static int finish_root(int root_fd, const struct oci_config *config)
{
	unsigned long propagation;
	int fd, rc;

	if (config->rootfs_propagation) {
		if (mounts_parse_propagation(config->rootfs_propagation,
					     &propagation) < 0)
			return hop_wrap(".linux.rootfsPropagation");
		if (ns_mount(NULL, "/", NULL, propagation, NULL) < 0)
			return hop_fail(
				_("make / %s (.linux.rootfsPropagation)"),
				config->rootfs_propagation);
	}
	if (!config->root_readonly)
		return 0;
	hop_step(_("make / read-only (.root.readonly)"));
	fd = reopen_mount(root_fd, "/", IN_ROOT);
	if (fd < 0)
		return hop_wrap(".root.readonly");
	rc = remount(fd, MS_RDONLY, 0);
	if (rc < 0)
		hop_fail(_("remount / read-only (.root.readonly)"));
	close(fd);
	return rc;
}

/* sysctl first: readonlyPaths usually makes /proc/sys read-only. */
int mounts_finish(const struct oci_config *config)
{
	int root_fd, rc = 0;

	if ((config->masked_paths && config->masked_paths[0]) ||
	    (config->readonly_paths && config->readonly_paths[0]))
		if (check_proc_fd_links() < 0)
			return -1;
	root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	hop_explain(root_fd, "open(\"/\", O_PATH|O_DIRECTORY)");
	if (root_fd < 0)
		return hop_fail(_("open /"));
	for (size_t i = 0; rc == 0 && i < config->sysctl_count; i++)
		rc = write_sysctl(root_fd, &config->sysctl[i],
				  config->clone_flags);
	for (size_t i = 0;
	     rc == 0 && config->readonly_paths && config->readonly_paths[i];
	     i++)
		rc = make_readonly(root_fd, config->readonly_paths[i]);
	for (size_t i = 0;
	     rc == 0 && config->masked_paths && config->masked_paths[i]; i++)
		rc = mask_path(root_fd, config->masked_paths[i]);
	if (rc == 0)
		rc = finish_root(root_fd, config);
	close(root_fd);
	return rc;
}
