/* overlay.c - mount an overlay and walk its upper dir.
 *
 * The upper dir is read with plain lstat(2) and lgetxattr(2): what the
 * kernel left there is the whole record of the changes. diff.c writes it
 * as a layer.
 */
#include "06-layers/overlay.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "lib/hop.h"

/* A path the options cannot carry: overlayfs splits them at ',' and
 * reads '\' as an escape; ':' ends a lower dir. */
static int check_name(const char *what, const char *path)
{
	const char *c = strpbrk(path, ",\\");

	if (!c)
		return 0;
	return hop_refuse(_("%s '%s': overlayfs reads '%c' in its mount "
			    "options as a separator or an escape; rename it, "
			    "or use a symlink to it"),
			  what, path, *c);
}

int overlay_check_dir(const char *what, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return hop_fail("%s %s", what, path);
	errno = ENOTDIR;
	return S_ISDIR(st.st_mode) ? 0 : hop_fail("%s %s", what, path);
}

int overlay_check(const struct overlay_dirs *dirs)
{
	const char *start = dirs->lower, *end;
	struct stat st;
	char one[PATH_MAX];
	size_t length;

	if (strchr(dirs->lower, ':') && stat(dirs->lower, &st) == 0)
		return hop_refuse(_("lower dir '%s': ':' separates lower dirs; "
				    "use a symlink to it without ':'"),
				  dirs->lower);
	do {
		end = strchrnul(start, ':');
		length = (size_t)(end - start);
		if (length == 0)
			return hop_refuse(_("lower dirs '%s': an empty one, "
					    "with no dir between two ':'"),
					  dirs->lower);
		errno = ENAMETOOLONG;
		if (length >= sizeof(one))
			return hop_fail(_("lower dir %.*s"), (int)length,
					start);
		memcpy(one, start, length);
		one[length] = '\0';
		if (check_name(_("lower dir"), one) < 0 ||
		    overlay_check_dir(_("lower dir"), one) < 0)
			return -1;
		start = end + 1;
	} while (*end);
	if (check_name(_("upper dir"), dirs->upper) < 0 ||
	    check_name(_("work dir"), dirs->work) < 0 ||
	    overlay_check_dir(_("upper dir"), dirs->upper) < 0 ||
	    overlay_check_dir(_("work dir"), dirs->work) < 0)
		return -1;
	return overlay_check_dir(_("mount point"), dirs->merged);
}

int overlay_mount(const struct overlay_dirs *dirs)
{
	char data[4096];
	long page = sysconf(_SC_PAGESIZE);
	int length, rc;

	if (overlay_check(dirs) < 0)
		return -1;
	length = snprintf(data, sizeof(data),
			  "lowerdir=%s,upperdir=%s,workdir=%s", dirs->lower,
			  dirs->upper, dirs->work);
	/* mount(2) copies one page of options; the rest would be cut off. */
	if (length < 0 || (size_t)length >= sizeof(data) || length >= page)
		return hop_refuse(_("the mount options are %d bytes long; "
				    "mount(2) takes at most %zu"),
				  length, sizeof(data) - 1);
	rc = mount("overlay", dirs->merged, "overlay", 0, data);
	hop_explain(rc, "mount(\"overlay\", \"%s\", \"overlay\", 0, \"%s\")",
		    dirs->merged, data);
	return rc < 0 ? hop_fail(_("mount overlay on %s"), dirs->merged) : 0;
}

static int inside(const char *path, const char *dir)
{
	size_t length = strlen(dir);

	return strncmp(path, dir, length) == 0 &&
	       (path[length] == '/' || path[length] == '\0');
}

enum overlay_cause overlay_cause(const struct overlay_dirs *dirs)
{
	struct statx upper, work;
	char up[PATH_MAX], wk[PATH_MAX];
	struct statfs fs;

	if (statx(AT_FDCWD, dirs->upper, 0, STATX_MNT_ID, &upper) == 0 &&
	    statx(AT_FDCWD, dirs->work, 0, STATX_MNT_ID, &work) == 0 &&
	    (upper.stx_mask & work.stx_mask & STATX_MNT_ID) &&
	    upper.stx_mnt_id != work.stx_mnt_id)
		return OVERLAY_CAUSE_WORK_ELSEWHERE;
	if (statfs(dirs->upper, &fs) == 0 && fs.f_type == OVERLAYFS_SUPER_MAGIC)
		return OVERLAY_CAUSE_UPPER_ON_OVERLAY;
	if (realpath(dirs->upper, up) && realpath(dirs->work, wk) &&
	    (inside(up, wk) || inside(wk, up)))
		return OVERLAY_CAUSE_NESTED;
	return OVERLAY_CAUSE_UNKNOWN;
}

struct walk {
	char path[PATH_MAX]; /* the upper dir, '/', the entry's path */
	size_t top;	     /* the length of the upper dir's part */
	overlay_visit visit;
	void *arg;
};

/* Bytewise, not strcoll(): the same order in every locale. */
static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int not_dots(const struct dirent *d)
{
	return strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0;
}

/* 1 if the dir at path is opaque, 0 if not. ("x", since Linux 6.7, marks
 * a dir that merely holds xattr whiteouts: not opaque.) */
static int is_opaque(const char *path)
{
	char value[2] = "";
	ssize_t n = lgetxattr(path, OVERLAY_XATTR_OPAQUE, value, sizeof(value));

	hop_explain(n, "lgetxattr(\"%s\", \"%s\", \"%.*s\", 2)", path,
		    OVERLAY_XATTR_OPAQUE, n > 0 ? (int)n : 0, value);
	if (n < 0 && errno != ENODATA && errno != ENOTSUP && errno != ERANGE)
		return hop_fail(_("read %s of %s"), OVERLAY_XATTR_OPAQUE, path);
	return n == 1 && value[0] == 'y';
}

static int walk_dir(struct walk *w, size_t end);

static int walk_entry(struct walk *w, size_t end, const char *name)
{
	struct overlay_entry entry = { .kind = OVERLAY_UPPER };
	size_t length = strlen(name);
	struct stat st;
	int opaque;

	/* Room for '/', the name, a dir's '/' and the NUL. */
	errno = ENAMETOOLONG;
	if (end + length + 3 > sizeof(w->path))
		return hop_fail(_("walk %s/%s"), w->path, name);
	w->path[end] = '/';
	memcpy(w->path + end + 1, name, length + 1);
	if (lstat(w->path, &st) < 0)
		return hop_fail(_("lstat %s"), w->path);
	if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
		entry.kind = OVERLAY_WHITEOUT;
		hop_explain(0,
			    "lstat(\"%s\", {st_mode=S_IFCHR|0%03o, "
			    "st_rdev=makedev(0, 0)})",
			    w->path, (unsigned)(st.st_mode & 07777));
	} else if (S_ISDIR(st.st_mode)) {
		opaque = is_opaque(w->path);
		if (opaque < 0)
			return -1;
		entry.kind = opaque ? OVERLAY_OPAQUE : OVERLAY_UPPER;
		memcpy(w->path + end + 1 + length, "/", 2);
	}
	entry.path = w->path + w->top + 1;
	entry.full = w->path;
	entry.st = &st;
	if (w->visit(&entry, w->arg) < 0)
		return -1;
	return S_ISDIR(st.st_mode) ? walk_dir(w, end + 1 + length) : 0;
}

static int walk_dir(struct walk *w, size_t end)
{
	struct dirent **names;
	int count, i, rc = 0;

	w->path[end] = '\0';
	count = scandir(w->path, &names, not_dots, by_name);
	if (count < 0)
		return hop_fail(_("read the dir %s"), w->path);
	for (i = 0; i < count && rc == 0; i++) {
		rc = walk_entry(w, end, names[i]->d_name);
		w->path[end] = '\0';
	}
	for (i = 0; i < count; i++)
		free(names[i]);
	free(names);
	return rc;
}

int overlay_walk(const char *upper, overlay_visit visit, void *arg)
{
	struct walk w = { .visit = visit, .arg = arg };
	size_t length = strlen(upper);

	while (length > 1 && upper[length - 1] == '/')
		length--;
	errno = ENAMETOOLONG;
	if (length + 2 > sizeof(w.path))
		return hop_fail(_("walk %s"), upper);
	memcpy(w.path, upper, length);
	w.top = length;
	return walk_dir(&w, length);
}
